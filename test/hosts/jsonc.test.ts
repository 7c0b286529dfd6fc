import { describe, expect, it } from 'vitest';
import { blankComments, parseJsonc } from '../../hosts/jsonc';

describe('JSON with comments (examples/*.jsonc)', () => {
  it('blanks comments, keeping every line and column where it was', () => {
    const text = '{ // a\n  "a": 1, /* b\n c */ "b": 2\n}';

    const plain = blankComments(text);

    expect(plain).toBe('{     \n  "a": 1,     \n      "b": 2\n}');
    expect(plain?.length).toBe(text.length);
  });

  it('leaves comment markers inside strings alone, escaped quotes included', () => {
    const text = '{"url": "https://x.example/a//b", "q": "say \\"/*\\" // no"}';

    expect(parseJsonc(text)).toEqual({
      ok: true,
      value: { url: 'https://x.example/a//b', q: 'say "/*" // no' },
    });
  });

  it('names the line and column of what does not parse, and an unclosed comment', () => {
    expect(parseJsonc('{\n  "a": 1,\n}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not valid JSON at line 3, column 1: /),
    });
    expect(parseJsonc('{"a": 1 /* open')).toEqual({
      ok: false,
      error: 'a /* comment is never closed with */',
    });
  });
});
