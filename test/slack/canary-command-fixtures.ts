/** The usage line and the parse helpers shared by the canary-command-*.test.ts files. */
import { type CanaryCommand, parseCanaryCommand } from '../../handlers/slack/canary-command';

export const START_USAGE =
  'Usage: `/canary start ‹service› ‹version› [mirror=‹percent›] [window=‹duration›] [strategy=mirror|steps|steps:5,25,50,100|mirror,steps:5,25,100|blue-green]`';

export function commandOf(text: string): CanaryCommand {
  const parsed = parseCanaryCommand(text);
  if (!parsed.ok) throw new Error(`expected a command from ${JSON.stringify(text)}, got: ${parsed.message}`);
  return parsed.command;
}

export function refusalOf(text: string): string {
  const parsed = parseCanaryCommand(text);
  if (parsed.ok)
    throw new Error(`expected a refusal of ${JSON.stringify(text)}, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}
