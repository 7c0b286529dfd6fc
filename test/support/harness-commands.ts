import type { ReleaseService } from '../../app/release-service';
import type { CommandOutcome, Effect, HostOperationName } from '../../domain/types';

export interface SentCommand {
  readonly commandId: string;
  readonly releaseId: string;
  readonly operation: Extract<Effect, { kind: 'runHostOperation' }>;
}

/** The harness's Run Command side: the commands the engine sent, and SSM's reports played back for them. */
export function commandDriver(service: ReleaseService, commands: readonly SentCommand[]) {
  function lastCommand(operation?: HostOperationName): SentCommand {
    const found = [...commands]
      .reverse()
      .find((c) => operation === undefined || c.operation.operation === operation);
    if (!found) throw new Error(`no ${operation ?? ''} command was sent`);
    return found;
  }

  /** Plays SSM back: every host reports, then the command's overall status. */
  async function finishCommand(
    operation: HostOperationName,
    status: CommandOutcome = 'success',
    hosts: readonly string[] = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'],
  ) {
    const { commandId } = lastCommand(operation);
    for (const [index, hostId] of hosts.entries()) {
      const hostStatus: CommandOutcome = index === hosts.length - 1 ? status : 'success';
      await service.applyToCommand(commandId, {
        kind: 'hostCommandFinished',
        commandId,
        hostId,
        status: hostStatus,
      });
    }
    return service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status });
  }

  return { lastCommand, finishCommand };
}
