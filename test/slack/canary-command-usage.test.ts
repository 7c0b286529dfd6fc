import { describe, expect, it } from 'vitest';
import { parseCanaryCommand } from '../../handlers/slack/canary-command';
import { USAGE } from '../../handlers/slack/canary-usage';
import { parseDuration } from '../../handlers/slack/start-options';

describe('parseDuration', () => {
  it.each([
    ['15m', 900],
    ['90s', 90],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2d', 172_800],
    ['1d2h3m4s', 93_784],
    ['900', 900],
    ['0', 0],
    ['15M', 900],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'm', '15 m', '1h1h', '30m1h', '1.5h', '-1', '15min', 'abc', '9'.repeat(40)])(
    'returns null for %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe('USAGE', () => {
  it('has one line per command, each with an explanation', () => {
    // Prepare
    const commands = [
      'start',
      'plan',
      'status',
      'list',
      'services',
      'promote',
      'rollback',
      'abort',
      'retry',
      'history',
      'help',
    ];

    // Act
    const lines = USAGE.split('\n');

    // Assess
    for (const command of commands) {
      // The group forms of `start` have their own line (the next test).
      const own = lines.filter(
        (line) => line.startsWith(`\`/canary ${command}`) && !line.includes('=‹version›'),
      );
      expect(own).toEqual([expect.stringMatching(/` – \S.+\.$/)]);
    }
  });

  it('gives the group forms of start one line of their own: ad hoc, then a configured group', () => {
    // Act
    const lines = USAGE.split('\n').filter((line) => line.startsWith('`/canary start ‹service›=‹version›'));

    // Assess
    expect(lines).toEqual([
      expect.stringMatching(
        /^`\/canary start ‹service›=‹version› ‹service›=‹version›… .*, \/canary start group ‹group› \[‹service›=‹version›…\].*` – \S.+\.$/,
      ),
    ]);
    expect(USAGE).toContain('it routes by the tag in steps, so it neither mirrors nor goes blue/green');
  });

  it('does not offer the group form as a command word of its own', () => {
    expect(USAGE).not.toContain('startGroup');
    expect(refusalOfWord('startgroup')).not.toContain('startGroup');
  });

  it('writes placeholders without raw angle brackets, which Slack would read as links', () => {
    expect(USAGE).not.toMatch(/[<>]/);
  });
});

function refusalOfWord(word: string): string {
  const parsed = parseCanaryCommand(word);
  return parsed.ok ? '' : parsed.message;
}
