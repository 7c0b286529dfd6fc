import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import { refusalOf } from './canary-command-fixtures';

describe('parseCanaryCommand: echoing user text', () => {
  it.each([
    'status <!channel>',
    '<!here> orders-api',
    'start orders-api <@U0123ABC>',
    'start orders-api 1.4.2 <#C0123|releases>=1',
    'start orders-api 1.4.2 mirror=<https://evil.example|click>',
    'promote orders-api <!subteam^S0123|oncall>',
  ])('never lets %s become a mention or a link', (text) => {
    // Act
    const message = refusalOf(text);

    // Assess
    expect(message).not.toMatch(/[<>]/);
    expect(message).toContain('&lt;');
  });

  it('escapes an ampersand once', () => {
    expect(refusalOf('promote a&b')).toContain('`a&amp;b` is not a service name');
  });

  it('drops backticks so user text cannot leave its code span', () => {
    // Act
    const message = refusalOf('start orders-api 1.4.2`<!here>`');

    // Assess
    expect(message).toContain('`1.4.2&lt;!here&gt;` is not a version');
    expect(message.split('`').length % 2).toBe(1);
  });

  it('drops control and bidi characters from the echo', () => {
    expect(refusalOf('start orders-api 1.4\u00072\u202e3')).toContain('`1.423` is not a version');
  });

  it('cuts long user text to 40 characters with an ellipsis', () => {
    // Prepare
    const version = `${'x'.repeat(80)};`;

    // Act
    const message = refusalOf(`start orders-api ${version}`);

    // Assess
    expect(message).toContain(`\`${'x'.repeat(39)}…\` is not a version`);
  });

  it('describes user text that is nothing but backticks instead of echoing an empty code span', () => {
    expect(refusalOf('```')).toMatch(/^Unknown command \(text that cannot be shown\)\./);
  });
});

describe('escapeMrkdwn', () => {
  it('escapes &, < and > as Slack asks, and nothing else', () => {
    expect(escapeMrkdwn('<!channel> & <@U1> *bold* `x`')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1&gt; *bold* `x`',
    );
  });
});
