import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvalidCommandId,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { FleetOperator } from '../domain/ports';
import type { HostOperationName } from '../domain/types';
import { hostOutputTail } from './host-output';

export interface SsmFleetOptions {
  /** Document names are `<prefix><kebab-case operation>`, e.g. `canary-agent-prod-deploy-canary`. */
  readonly documentPrefix: string;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly outputLogGroup: string;
}

const documentSuffix: Readonly<Record<HostOperationName, string>> = {
  deployCanary: 'deploy-canary',
  removeCanary: 'remove-canary',
  startMirror: 'start-mirror',
  shiftTraffic: 'shift-traffic',
  stopMirror: 'stop-mirror',
  promote: 'promote',
  restoreStable: 'restore-stable',
  deployIdle: 'deploy-idle',
  // A hook always names its team's own document.
  runHook: 'run-hook',
};

/**
 * The document an operation runs: the agent's own, or the service's deploy document, which its team creates as
 * `<prefix>custom-<name>` (the agent may send only documents of its prefix, and hears only their results).
 */
export function documentName(prefix: string, operation: HostOperationName, custom?: string): string {
  return custom ? `${prefix}custom-${custom}` : `${prefix}${documentSuffix[operation]}`;
}

export class CommandNotSentError extends Error {
  readonly code = 'COMMAND_NOT_SENT';
  override readonly name = 'CommandNotSentError';
}

/**
 * Host operations as SSM Run Command on tag-selected fleets. Results come back as EventBridge events
 * (handlers/ssm-command.ts); nothing here polls.
 */
export function ssmFleetOperator(client: SSMClient, options: SsmFleetOptions): FleetOperator {
  return {
    async run(releaseId, operation) {
      const { Command } = await client.send(
        new SendCommandCommand({
          DocumentName: documentName(options.documentPrefix, operation.operation, operation.document),
          // One batch of a drained rollout names its hosts; every other operation selects its fleet by tags.
          ...(operation.instanceIds
            ? { InstanceIds: [...operation.instanceIds] }
            : {
                Targets: Object.entries(operation.targets).map(([key, value]) => ({
                  Key: `tag:${key}`,
                  Values: [value],
                })),
              }),
          Parameters: Object.fromEntries(
            Object.entries(operation.parameters).map(([key, value]) => [key, [value]]),
          ),
          // Promotion brings its own batch size; every other operation uses the agent's default.
          MaxConcurrency: operation.rateControl?.maxConcurrency ?? options.maxConcurrency,
          MaxErrors: operation.rateControl?.maxErrors ?? options.maxErrors,
          TimeoutSeconds: operation.timeoutSeconds,
          CloudWatchOutputConfig: {
            CloudWatchOutputEnabled: true,
            CloudWatchLogGroupName: options.outputLogGroup,
          },
          // SSM caps comments at 100 characters; the release id is what ties the command back in the console.
          Comment: `canary-agent ${releaseId} ${operation.stepId}`.slice(0, 100),
        }),
      );
      if (!Command?.CommandId)
        throw new CommandNotSentError(`SendCommand returned no command id for ${releaseId}`);
      return { commandId: Command.CommandId };
    },
    async cancel(commandId) {
      try {
        await client.send(new CancelCommandCommand({ CommandId: commandId }));
      } catch (error) {
        // Already finished (or expired): there is nothing left to cancel.
        if (error instanceof InvalidCommandId) return;
        throw error;
      }
    },
    async output(commandId, hostId) {
      try {
        const invocation = await client.send(
          new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: hostId }),
        );
        return hostOutputTail(invocation.StandardOutputContent ?? '', invocation.StandardErrorContent ?? '');
      } catch (error) {
        // Expired, or never sent to that host: there is no output to read.
        const gone = [InvocationDoesNotExist, InvalidCommandId, InvalidInstanceId];
        if (gone.some((kind) => error instanceof kind)) return undefined;
        throw error;
      }
    },
  };
}
