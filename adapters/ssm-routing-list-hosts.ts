import { SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { RoutingListHosts } from '../domain/routing-list-ports';
import { CommandNotSentError, type SsmFleetOptions } from './ssm-fleet-operator';

/** The document that gives a routing proxy new lists in place (hosts/documents/apply-routing-lists.yml). */
export const APPLY_LISTS_DOCUMENT = 'apply-routing-lists';

/** How long a host may take: it waits for the host lock, then drains and reloads its routing nginx. */
const TIMEOUT_SECONDS = 600;

/**
 * The apply document through Run Command, to the stable fleet's tags as the routing step selected them. Its
 * results come back as Run Command events like every document's; no release waits for them (handlers/ssm-command.ts
 * logs them).
 */
export function ssmRoutingListHosts(
  client: SSMClient,
  options: Pick<SsmFleetOptions, 'documentPrefix' | 'maxConcurrency' | 'maxErrors' | 'outputLogGroup'>,
): RoutingListHosts {
  return {
    async apply({ releaseId, targets, parameters }) {
      const { Command } = await client.send(
        new SendCommandCommand({
          DocumentName: `${options.documentPrefix}${APPLY_LISTS_DOCUMENT}`,
          Targets: Object.entries(targets).map(([key, value]) => ({ Key: `tag:${key}`, Values: [value] })),
          Parameters: Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, [value]])),
          MaxConcurrency: options.maxConcurrency,
          MaxErrors: options.maxErrors,
          TimeoutSeconds: TIMEOUT_SECONDS,
          CloudWatchOutputConfig: {
            CloudWatchOutputEnabled: true,
            CloudWatchLogGroupName: options.outputLogGroup,
          },
          Comment: `canary-agent ${releaseId} routing lists`.slice(0, 100),
        }),
      );
      if (!Command?.CommandId)
        throw new CommandNotSentError(`SendCommand returned no command id for the lists of ${releaseId}`);
      return { commandId: Command.CommandId };
    },
  };
}
