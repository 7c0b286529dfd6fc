import { config } from 'zod';

/*
 * The Slack function's first import: zod builds no parser with `new Function`. Each object schema decides when it
 * is built, so this must run before any schema module loads. A cold start parses each schema once or twice, where
 * generating and compiling the fast parsers costs more than they save (bench/cold-start.ts); warm parses of a few
 * items stay well under a millisecond either way.
 */
config({ jitless: true });
