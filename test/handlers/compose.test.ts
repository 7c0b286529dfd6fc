import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictRetriesExhaustedError, UnknownReleaseError } from '../../domain/errors';
import { resetForTests } from '../../handlers/compose';
import { ConfigError, loadConfig } from '../../handlers/config';
import { classifyError } from '../../handlers/error-policy';
import { BadEventError } from '../../handlers/parse-event';
import { MissingSecretError, slackSecrets } from '../../handlers/slack-secrets';
import { lambdaEnv } from '../../local/lambda-env';
import { holdToContract } from '../support/aws-contract';

const ssm = mockClient(SSMClient);
holdToContract('ssm', ssm);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => ssm.restore());
const saved = { ...process.env };
const env = lambdaEnv('releases', 'http://127.0.0.1:1');

beforeEach(() => {
  ssm.reset();
  resetForTests();
  Object.assign(process.env, env);
});
afterEach(() => {
  process.env = { ...saved };
});

describe('loadConfig', () => {
  it('names each missing or malformed variable and throws instead of exiting', () => {
    const { RELEASES_TABLE: _, ...withoutTable } = env;
    expect(() => loadConfig({ ...withoutTable, SCHEDULER_ROLE_ARN: 'role' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...withoutTable, SCHEDULER_ROLE_ARN: 'role' })).toThrow(
      /RELEASES_TABLE: the releases table name is required; SCHEDULER_ROLE_ARN: an IAM role ARN/,
    );
  });

  it('ignores the other variables Lambda sets and applies the rate-control defaults', () => {
    const { COMMAND_MAX_CONCURRENCY: _, COMMAND_MAX_ERRORS: __, ...rest } = env;
    const config = loadConfig({ ...rest, AWS_LAMBDA_FUNCTION_NAME: 'x', _HANDLER: 'y' });
    expect(config).toMatchObject({ COMMAND_MAX_CONCURRENCY: '10%', COMMAND_MAX_ERRORS: '0' });
  });
});

describe('slackSecrets', () => {
  const names = ['/canary-agent/test/slack/signing-secret', '/canary-agent/test/slack/bot-token'];

  it('decrypts both SecureStrings in one call and caches them', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: names[0], Value: 'signing-123' },
        { Name: names[1], Value: 'xoxb-456' },
      ],
    });

    expect(await slackSecrets()).toEqual({ signingSecret: 'signing-123', botToken: 'xoxb-456' });
    await slackSecrets();

    expect(ssm).toHaveReceivedCommandExactlyOnceWith(GetParametersCommand, {
      Names: names,
      WithDecryption: true,
    });
  });

  it('names a missing parameter without any secret value, and tries again on the next call', async () => {
    ssm
      .on(GetParametersCommand)
      .resolvesOnce({ Parameters: [{ Name: names[0], Value: 'signing-123' }] })
      .resolves({
        Parameters: [
          { Name: names[0], Value: 'signing-123' },
          { Name: names[1], Value: 'xoxb-456' },
        ],
      });

    const failure = await slackSecrets().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MissingSecretError);
    expect(String(failure)).toContain('/slack/bot-token');
    expect(String(failure)).not.toContain('signing-123');
    expect(await slackSecrets()).toEqual({ signingSecret: 'signing-123', botToken: 'xoxb-456' });
  });
});

describe('classifyError', () => {
  it.each([
    ['bad input', new BadEventError('x'), 'drop', 'drop'],
    ['unknown release where it may be a race', new UnknownReleaseError('command c'), 'retry', 'retry'],
    ['unknown release elsewhere', new UnknownReleaseError('r'), 'drop', 'drop'],
    ['a conflict', new ConflictRetriesExhaustedError('r', 8), 'drop', 'retry'],
    [
      'throttling',
      Object.assign(new Error('Rate exceeded'), { $retryable: { throttling: true } }),
      'drop',
      'retry',
    ],
  ] as const)('%s -> %s', (_name, error, unknownRelease, verdict) => {
    expect(classifyError(error, { unknownRelease })).toBe(verdict);
  });
});
