import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { loadConfig } from './config';
import { onReset, stateClients } from './state-ports';

const SECRET_TTL_MS = 5 * 60_000;
let secrets: { value: Promise<SlackSecretValues>; at: number } | undefined;
onReset(() => {
  secrets = undefined;
});

export interface SlackSecretValues {
  readonly signingSecret: string;
  readonly botToken: string;
}

export class MissingSecretError extends Error {
  readonly code = 'MISSING_SECRET';
  override readonly name = 'MissingSecretError';
}

/**
 * The Slack signing secret and bot token, SecureStrings under `<PARAMETER_PATH>/slack/`, decrypted in one
 * GetParameters call and cached for five minutes (like @middy/ssm's cacheExpiry), so a rotation is picked up.
 */
export function slackSecrets(): Promise<SlackSecretValues> {
  if (secrets && Date.now() - secrets.at < SECRET_TTL_MS) return secrets.value;
  const value = fetchSlackSecrets();
  secrets = { value, at: Date.now() };
  value.catch(() => {
    secrets = undefined;
  });
  return value;
}

async function fetchSlackSecrets(): Promise<SlackSecretValues> {
  const path = loadConfig().PARAMETER_PATH;
  const names = { signingSecret: `${path}/slack/signing-secret`, botToken: `${path}/slack/bot-token` };
  const { Parameters = [] } = await stateClients.ssm.send(
    new GetParametersCommand({ Names: Object.values(names), WithDecryption: true }),
  );
  const secret = (name: string) => {
    const value = Parameters.find((p) => p.Name === name)?.Value;
    // The name only: a secret's value never reaches a log or an error.
    if (!value) throw new MissingSecretError(`SecureString parameter ${name} is missing or empty`);
    return value;
  };
  return { signingSecret: secret(names.signingSecret), botToken: secret(names.botToken) };
}
