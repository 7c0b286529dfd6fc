/**
 * JSON with comments (`//` to the end of the line, `/* … *\/`), the format of the commented examples in
 * `examples/`. Parameter Store holds plain JSON, so `check-config --json` turns one into the other.
 */

export type JsoncResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

/**
 * The text with every comment replaced by spaces (line breaks kept), so a JSON error's position still points
 * at the same line and column of the file. `null` when a block comment never ends.
 *
 * @example
 * blankComments('{"a": 1 // one\n}') // '{"a": 1       \n}'
 */
export function blankComments(text: string): string | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if (text[i] === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (two === '//' || two === '/*') {
      const close = two === '//' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
      if (close < 0 && two === '/*') return null;
      const end = close < 0 ? text.length : two === '//' ? close : close + 2;
      out += text.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/** Where the string opening at `start` ends (after its closing quote), skipping escaped quotes. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** `line 3, column 7` of a character offset. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * Parses JSON with comments; an error names the line and column, whichever way this Node version words it.
 *
 * @example
 * parseJsonc('{"a": 1,}') // { ok: false, error: 'not valid JSON at line 1, column 9: …' }
 */
export function parseJsonc(text: string): JsoncResult {
  const plain = blankComments(text);
  if (plain === null) return { ok: false, error: 'a /* comment is never closed with */' };
  try {
    return { ok: true, value: JSON.parse(plain) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` at ${lineAndColumn(plain, Number(position))}`;
    return {
      ok: false,
      error: `not valid JSON${where}: ${message.replace(/\s*\(line \d+ column \d+\)$/, '')}`,
    };
  }
}
