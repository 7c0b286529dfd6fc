import { ListCommandsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ReleaseService } from '../app/release-service';
import type { Clock, ReleaseStore } from '../domain/ports';
import { hostOperationRunOf } from '../domain/steps';
import { commandOutcome } from './ssm-status';

export interface CommandRecoveryDeps {
  readonly ssm: SSMClient;
  readonly store: ReleaseStore;
  readonly service: ReleaseService;
  readonly clock: Clock;
  /** How long a command may run before we ask SSM about it: result events normally arrive within seconds. */
  readonly quietSeconds?: number;
}

/**
 * The sweeper's fallback for lost SSM result events: for each active release whose host command has been quiet
 * for `quietSeconds`, one ListCommands call; a finished command is fed to the engine as `commandFinished`
 * (with an event id, so a late real event changes nothing). Never polls while events can still arrive.
 */
export function ssmCommandRecovery(deps: CommandRecoveryDeps) {
  const quietMs = (deps.quietSeconds ?? 180) * 1000;
  return {
    async recover(): Promise<{ checked: number; recovered: number }> {
      const now = Date.parse(deps.clock.now());
      let checked = 0;
      let recovered = 0;
      for (const release of await deps.store.activeReleases()) {
        const run = hostOperationRunOf(release);
        if (!run?.commandId || now - Date.parse(run.startedAt) < quietMs) continue;
        checked++;
        const { Commands } = await deps.ssm.send(new ListCommandsCommand({ CommandId: run.commandId }));
        const status = commandOutcome(Commands?.[0]?.Status ?? '');
        if (status === null) continue;
        const result = await deps.service.apply(
          release.id,
          { kind: 'commandFinished', commandId: run.commandId, status },
          `recovered:${run.commandId}`,
        );
        if (result.ok && result.changed) recovered++;
      }
      return { checked, recovered };
    },
  };
}
