/**
 * The events the scale simulation delivers, built from the documented fixtures (test/fixtures/events) once and
 * patched per delivery: reading and parsing a fixture file for each of tens of thousands of events would cost more
 * than the handler that receives it.
 */
import { signedHeaders } from '../handlers/slack/request-signature';
import { getTestEvent } from '../local/fixture-events';
import { APPROVER } from '../local/fixture-service-config';
import { SLACK_SECRET } from './slack-requests';

type Event = { id: string; detail: Record<string, unknown>; [key: string]: unknown };

const bases = new Map<string, Event>();
function based(name: string, id: string, detail: Record<string, unknown>): Event {
  let base = bases.get(name);
  if (!base) {
    base = getTestEvent<Event>(name);
    bases.set(name, base);
  }
  return { ...base, id, time: new Date().toISOString(), detail: { ...base.detail, ...detail } };
}

/** One host's result (`instanceId`) or the whole command's, as SSM puts them on the default bus. */
export function ssmResult(commandId: string, document: string, status: string, instanceId?: string): Event {
  const common = { 'command-id': commandId, 'document-name': document, status };
  return instanceId
    ? based('aws.ssm/command-invocation-status-change', `${commandId}-${instanceId}`, {
        ...common,
        'instance-id': instanceId,
      })
    : based('aws.ssm/command-status-change', `${commandId}-done`, common);
}

/** CloudWatch's "Alarm State Change"; a redelivery carries the same id, as EventBridge's at-least-once does. */
export function alarmChange(id: string, alarmName: string, value: 'OK' | 'ALARM'): Event {
  const base = bases.get('alarm') ?? getTestEvent<Event>('aws.cloudwatch/alarm-state-change');
  bases.set('alarm', base);
  const timestamp = new Date().toISOString().replace('Z', '+0000');
  const state = { ...(base.detail.state as object), value, reason: `simulated ${value}`, timestamp };
  return { ...base, id, time: new Date().toISOString(), detail: { ...base.detail, alarmName, state } };
}

/** A CI pipeline's "Release Requested" for `service`. */
export function releaseRequested(id: string, service: string, version: string, windowSeconds: number): Event {
  return based('canary-agent/release-requested', id, {
    service,
    version,
    pipeline: `${service}/main#${id}`,
    percent: 10,
    windowSeconds,
  });
}

/** The 1-minute schedule that runs the sweeper (its event is not read). */
export function sweeperTick(): Record<string, unknown> {
  return { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: new Date().toISOString() };
}

/** An approver's Promote click, as Slack posts it: a signed `block_actions` payload. */
export function promoteClick(releaseId: string, slackUrl: string) {
  const payload = JSON.stringify({
    type: 'block_actions',
    user: { id: APPROVER },
    trigger_id: `scale.promote.${releaseId}`,
    actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
    response_url: `${slackUrl}/respond/${APPROVER}`,
  });
  const body = new URLSearchParams({ payload }).toString();
  return { headers: signedHeaders(SLACK_SECRET, body), body, isBase64Encoded: false };
}
