/**
 * `npm run bench [-- --quick] [name…]`: runs every `bench/*.bench.ts` in name order (or those whose names contain
 * one of the given names) and prints its figures. A bench module exports `default async function (): Promise<void>`
 * that prints its own table. `--quick` runs each block once with small counts (bench/quick.ts).
 */
// First, so the quiet defaults hold before any module builds a logger or an SDK client.
import '../local/quiet-defaults';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// Set before any bench module is imported: bench/quick.ts reads it once, when it loads.
if (args.includes('--quick')) process.env.BENCH_QUICK = '1';
const only = args.filter((arg) => arg !== '--quick');
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((o) => name.includes(o)))
  .sort();

for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
  console.log(`\n## ${file.replace('.bench.ts', '')}\n`);
  await module.default();
}
