import {
  GetParameterCommand,
  GetParametersCommand,
  ParameterNotFound,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { STAGE_PATH } from '../../local/lambda-env';

/**
 * What Parameter Store answers the Lambda composition, in its documented shapes: the Slack secrets
 * (GetParameters, SecureString), one service's configuration and current version (GetParameter), and
 * ParameterNotFound for any other name.
 */
export function answerAgentParameters(
  ssm: AwsClientStub<SSMClient>,
  options: { signingSecret: string; botToken: string; config: unknown; version: string },
): void {
  ssm.on(GetParametersCommand).resolves({
    Parameters: [
      { Name: `${STAGE_PATH}/slack/signing-secret`, Value: options.signingSecret, Type: 'SecureString' },
      { Name: `${STAGE_PATH}/slack/bot-token`, Value: options.botToken, Type: 'SecureString' },
    ],
  });
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  for (const [name, value] of [
    [`${STAGE_PATH}/services/orders-api`, JSON.stringify(options.config)],
    [`${STAGE_PATH}/versions/orders-api`, options.version],
  ] as const) {
    ssm
      .on(GetParameterCommand, { Name: name })
      .resolves({ Parameter: { Name: name, Value: value, Type: 'String' } });
  }
}
