import { describeNotice } from '../../domain/notice';
import type { Effect } from '../../domain/types';
import { serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, type Harness, startOrders, toApproval } from './scenarios-fixtures';

/** What the drained-promotion scenarios share: orders-api behind target groups, driven to its promotion. */

export const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
export const TG2 =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-admin/0000000000000b1f';
export const HOSTS = ['i-01', 'i-02', 'i-03', 'i-04'];

type RunHostOperation = Extract<Effect, { kind: 'runHostOperation' }>;

/** orders-api behind one or two target groups, brought to the end of its stopMirror, so promotion starts. */
export async function toPromotion(
  options: {
    batchSize?: string;
    maxErrors?: string;
    drainSeconds?: number;
    groups?: string[];
    hosts?: string[];
  } = {},
) {
  const groups = options.groups ?? [TG];
  const config = serviceConfig({
    fleets: {
      stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' }, targetGroupArns: groups },
      canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } },
    },
    promotion: { batchSize: options.batchSize ?? '50%', maxErrors: options.maxErrors ?? '0' },
  });
  const h = harness({
    configs: [config],
    targetGroups: Object.fromEntries(groups.map((arn) => [arn, options.hosts ?? HOSTS])),
    ...(options.drainSeconds ? { drainSeconds: options.drainSeconds } : {}),
  });
  const id = await startOrders(h);
  await toApproval(h, id);
  await h.service.apply(id, { kind: 'approved', actor: approver });
  await h.finishCommand('stopMirror');
  return { h, id };
}

export function promotions(h: Harness): RunHostOperation[] {
  return h.commands.filter((c) => c.operation.operation === 'promote').map((c) => c.operation);
}

/** SSM reports the batch's hosts (failing the named ones) and the command. */
export async function finishBatch(h: Harness, failing: readonly string[] = []) {
  const { commandId, operation } = h.lastCommand('promote');
  for (const hostId of operation.instanceIds ?? []) {
    const status = failing.includes(hostId) ? 'failed' : 'success';
    await h.service.applyToCommand(commandId, { kind: 'hostCommandFinished', commandId, hostId, status });
  }
  const status = failing.length > 0 ? 'failed' : 'success';
  return h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status });
}

export function said(h: Harness): string[] {
  return h.notices.map((n) => describeNotice(n.notice.notice));
}
