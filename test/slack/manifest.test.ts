import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readServerlessYml, serverlessYmlPath } from '../../local/serverless-yml';

interface Manifest {
  features: { slash_commands: { command: string; url: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string } };
}

const manifest = parse(
  readFileSync(join(serverlessYmlPath, '..', 'slack-app-manifest.yml'), 'utf8'),
) as Manifest;
const sourceOf = (...files: string[]) =>
  files.map((f) => readFileSync(join(serverlessYmlPath, '..', f), 'utf8')).join('\n');

describe('the Slack app manifest', () => {
  it('sends /canary and button clicks to the function serverless.yml deploys', () => {
    const route = readServerlessYml().functions.slack?.events?.[0] as { httpApi: { path: string } };
    const [command] = manifest.features.slash_commands;

    expect(command?.command).toBe('/canary');
    expect(new URL(command?.url ?? '').pathname).toBe(route.httpApi.path);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(route.httpApi.path);
  });

  it('asks for exactly the scopes the Web API calls in the code need', () => {
    const code = sourceOf(
      'adapters/slack-release-cards.ts',
      'adapters/slack-release-thread.ts',
      'handlers/slack/canary-listeners.ts',
    );
    const needed = new Set(['commands']);
    if (/chat\.(postMessage|update|delete)/.test(code)) needed.add('chat:write');
    if (/usergroups\.users\.list/.test(code)) needed.add('usergroups:read');
    if (/files\.uploadV2/.test(code)) needed.add('files:write');

    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });
});
