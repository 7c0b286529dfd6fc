import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate } from '../support/package-template';

/** The names and contents of a zip's files (stored or deflated), read from its central directory. */
function zipEntries(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  const entries = new Map<string, Buffer>();
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < count; i++) {
    const [method, size, nameLength, extraLength, commentLength] = [10, 20, 28, 30, 32].map((offset) =>
      offset === 20 ? zip.readUInt32LE(at + offset) : zip.readUInt16LE(at + offset),
    ) as [number, number, number, number, number];
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    entries.set(name, method === 8 ? inflateRawSync(data) : data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

let zips: Map<string, Map<string, Buffer>>;
beforeAll(async () => {
  const { dir } = await packageTemplate('dev');
  zips = new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => [name.replace(/\.zip$/, ''), zipEntries(join(dir, name))]),
  );
}, 120_000);

const code = (entries: Map<string, Buffer>) => [...entries.keys()].filter((name) => name.endsWith('.mjs'));

/**
 * The Slack function is split into chunks (scripts/esbuild-plugins.cjs), which serverless-esbuild writes beside
 * every other function's bundle: each zip must hold its own code and no other function's.
 */
describe('npm run package', () => {
  it("puts the Slack function's chunks in its zip, with every file its code imports", () => {
    const slack = zips.get('slack') ?? new Map<string, Buffer>();
    const files = code(slack);
    expect(files).toContain('handlers/slack.mjs');
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      expect(file).toMatch(/^handlers\/slack(\.[\w-]+)?\.mjs$/);
      const imported = [...String(slack.get(file)).matchAll(/["']\.\/([\w.-]+\.mjs)["']/g)].map((m) => m[1]);
      for (const name of imported) expect(files, `${file} imports ${name}`).toContain(`handlers/${name}`);
    }
  });

  it("gives every other function its bundle alone, none of the Slack function's chunks", () => {
    expect(zips.size).toBeGreaterThan(2);
    for (const [fn, entries] of zips) {
      if (fn === 'slack') continue;
      expect(code(entries), fn).toHaveLength(1);
      expect(code(entries)[0], fn).not.toMatch(/slack/);
    }
  });
});
