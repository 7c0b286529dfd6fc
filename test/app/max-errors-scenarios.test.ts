import { describe, expect, it } from 'vitest';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import { errorBudget } from '../../domain/error-budget';
import { describeNotice } from '../../domain/notice';
import type { CommandOutcome } from '../../domain/types';
import { APPROVER, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

type Harness = ReturnType<typeof harness>;

const HOSTS = ['i-01', 'i-02', 'i-03', 'i-04'];

/** A mirror release of orders-api brought to its promotion, with `maxErrors` as the service sets it. */
async function toPromotion(maxErrors: string) {
  const h = harness({ configs: [serviceConfig({ promotion: { batchSize: '1', maxErrors } })] });
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: REQUESTER },
  });
  if (!started.ok) throw new Error(started.message);
  const id = started.release.id;
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  await h.elapseWindow(id);
  await h.service.apply(id, { kind: 'approved', actor: { kind: 'person', id: APPROVER } });
  await h.finishCommand('stopMirror');
  return { h, id };
}

/** SSM reports each host of the promotion (failing the named ones with their output), then the command. */
async function promote(h: Harness, failing: Record<string, string>, status: CommandOutcome) {
  const { commandId } = h.lastCommand('promote');
  for (const hostId of HOSTS) {
    const output = failing[hostId];
    const event =
      output === undefined
        ? ({ kind: 'hostCommandFinished', commandId, hostId, status: 'success' } as const)
        : ({ kind: 'hostCommandFinished', commandId, hostId, status: 'failed', output } as const);
    await h.service.applyToCommand(commandId, event);
  }
  return h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status });
}

describe('a promotion honours the service’s maxErrors', () => {
  it('goes on past a failed host within a count, naming it with its output on the card and in a warning', async () => {
    const { h, id } = await toPromotion('1');

    // SSM reports a command with failures within MaxErrors as Incomplete, which the adapter reads as failed.
    await promote(h, { 'i-03': 'pulling image\nhealth check failed: 503 on /healthz' }, 'failed');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(h.recordedVersions).toEqual([{ service: 'orders-api', version: '1.4.2' }]);
    expect(release.hostFailures).toEqual([
      {
        operation: 'promote',
        hostId: 'i-03',
        status: 'failed',
        commandId: h.lastCommand('promote').commandId,
        output: 'pulling image\nhealth check failed: 503 on /healthz',
      },
    ]);
    expect(release.warnings.join('\n')).toContain(
      'Promoting the new version on the stable fleet failed on 1 of 4 hosts (i-03), within the 1 allowed to fail',
    );
    expect(release.warnings.join('\n')).toContain('may still run 1.4.1');
    const card = JSON.stringify(releaseCard(release, h.now()).blocks);
    expect(card).toContain('Hosts that failed');
    expect(card).toContain('i-03');
    expect(card).toContain('health check failed: 503 on /healthz');
    const said = h.notices.map((n) => describeNotice(n.notice.notice));
    expect(said).toContain(
      'Finished promoting the new version on the stable fleet with 1 failed host (i-03), within the 1 allowed to fail; going on.',
    );
  });

  it('reads why a host failed from the fleet when Run Command’s event says only that it failed', async () => {
    const { h, id } = await toPromotion('1');
    const { commandId } = h.lastCommand('promote');
    h.setHostOutput(commandId, 'i-03', 'failed: registry/orders-api:1.4.2 failed its health check /healthz');

    await h.service.applyToCommand(commandId, {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-03',
      status: 'failed',
    });

    const release = await h.load(id);
    expect(release.hostFailures).toEqual([
      {
        operation: 'promote',
        hostId: 'i-03',
        status: 'failed',
        commandId,
        output: 'failed: registry/orders-api:1.4.2 failed its health check /healthz',
      },
    ]);
    expect(JSON.stringify(releaseCard(release, h.now()).blocks)).toContain(
      'failed its health check /healthz',
    );
  });

  it('rolls back as soon as the failures exceed a count, cancelling the rest of the promotion', async () => {
    const { h, id } = await toPromotion('1');
    const { commandId } = h.lastCommand('promote');

    await h.service.applyToCommand(commandId, {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-01',
      status: 'failed',
    });
    expect((await h.load(id)).state).toBe('promoting');
    await h.service.applyToCommand(commandId, {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-02',
      status: 'timedOut',
    });

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'hostOperationFailed', hostId: 'i-02' });
    expect(h.cancelled).toEqual([commandId]);
  });

  it('judges a share against the hosts that reported once the command ends', async () => {
    const within = await toPromotion('25%');
    await promote(within.h, { 'i-02': 'exit 1' }, 'failed');
    expect((await within.h.load(within.id)).state).toBe('cleaningUp');

    const beyond = await toPromotion('25%');
    await promote(beyond.h, { 'i-02': 'exit 1', 'i-04': 'exit 1' }, 'failed');
    // 2 of 4 reported hosts is more than 25%: the promotion is undone.
    const release = await beyond.h.load(beyond.id);
    expect(release.state).toBe('rollingBack');
    expect(beyond.h.lastCommand().operation.operation).toBe('restoreStable');
  });

  it('still rolls back on the first failed host when maxErrors is 0 (the default)', async () => {
    const { h, id } = await toPromotion('0');

    await promote(h, { 'i-01': 'exit 1' }, 'failed');

    expect((await h.load(id)).state).toBe('rollingBack');
    expect((await h.load(id)).hostFailures).toBeUndefined();
  });

  it('rolls back when the command failed but no failed host was heard of: nothing says it stayed within', async () => {
    const { h, id } = await toPromotion('1');

    await promote(h, {}, 'failed');

    expect((await h.load(id)).state).toBe('rollingBack');
    expect(h.lastCommand().operation.operation).toBe('restoreStable');
  });
});

describe('errorBudget', () => {
  it('reads a count as written and a share of the hosts that reported, rounded down', () => {
    expect(errorBudget('0', 10)).toBe(0);
    expect(errorBudget('3', 2)).toBe(3);
    expect(errorBudget('10%', 10)).toBe(1);
    expect(errorBudget('10%', 9)).toBe(0);
    expect(errorBudget('100%', 7)).toBe(7);
  });
});
