import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { serverlessYmlPath } from '../../local/serverless-yml';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
}

/**
 * Runs `osls package` (offline: no credentials, no network) into a fresh directory and returns the generated
 * CloudFormation template, so the test sees what `npm run package` would deploy from the current files.
 */
export async function packageTemplate(stage = 'dev'): Promise<{ template: CfnTemplate; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'canary-agent-package-'));
  const root = dirname(serverlessYmlPath);
  await promisify(execFile)(
    join(root, 'node_modules/.bin/osls'),
    ['package', '--stage', stage, '--package', dir],
    {
      cwd: root,
      env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
      timeout: 120_000,
    },
  );
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { template, dir };
}
