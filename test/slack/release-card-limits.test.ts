import { describe, expect, it } from 'vitest';
import { noticeReply } from '../../adapters/slack-presentation/notice-reply';
import { ACTION_IDS, releaseCard } from '../../adapters/slack-presentation/release-card';
import type { HostOperationStep, Release } from '../../domain/types';
import { APPROVER } from '../../local/fixture-service-config';
import { actionIds, expectWithinLimits, FAILING_HOST, releaseIn } from './release-card-fixtures';

describe('limits', () => {
  it('keeps a hostile release within every Block Kit limit', async () => {
    const { h, release } = await releaseIn('rollbackFailed', 'steps');
    const hostile = '<!channel> & '.repeat(20);
    const alarms = Array.from({ length: 100 }, (_, i) => `${'a'.repeat(195)}-${i}`);
    const hosts = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`i-${hostile}${i}`, i % 2 ? 'failed' : 'success'] as const),
    );
    const manySteps = Array.from({ length: 200 }, (_, i) => i / 2);
    const step = release.plan[1] as HostOperationStep;
    const absurd: Release = {
      ...release,
      id: `r-${'x'.repeat(400)}`,
      service: 's'.repeat(200),
      fromVersion: 'v'.repeat(200),
      toVersion: hostile,
      strategy: { kind: 'steps', steps: manySteps, bakeSeconds: 900 },
      plan: [
        ...release.plan,
        ...manySteps.map((p) => ({ ...step, parameters: { CanaryPercent: String(p) } })),
      ],
      requestedBy: { kind: 'pipeline', id: hostile.repeat(50) },
      policy: { ...release.policy, watchedAlarms: alarms },
      alarms: Object.fromEntries(
        alarms.map((name) => [name, { state: 'ALARM', reason: hostile.repeat(100), at: h.now() }]),
      ),
      warnings: Array.from({ length: 100 }, () => hostile.repeat(10)),
      approvals: Array.from({ length: 300 }, () => ({ by: APPROVER, at: h.now() })),
      run: {
        kind: 'hostOperation',
        stepId: 's',
        origin: 'plan',
        step: { ...step, operation: 'stopMirror' },
        startedAt: h.now(),
        deadlineAt: h.now(),
        commandId: hostile,
        hosts,
      },
      rollback: {
        reason: { kind: 'alarm', alarmName: hostile.repeat(5), reason: hostile.repeat(500) },
        startedAt: 'not a date',
        steps: release.rollback?.steps ?? [],
        cursor: 0,
        attempts: 7,
        failure: { hostId: hostile.repeat(10), status: 'failed', output: 'x\n'.repeat(5000) },
      },
    };

    const card = releaseCard(absurd, h.now());

    expectWithinLimits(card);
    expect(JSON.stringify(card)).not.toContain('<!channel>');
    expect(actionIds(card)).toEqual([ACTION_IDS.retry]);
  });

  it('keeps a huge command output to its last 15 lines in one closed code block', async () => {
    const { release } = await releaseIn('rollbackFailed');
    const output = Array.from(
      { length: 5000 },
      (_, i) => `line ${i} ${'y'.repeat(i === 4999 ? 5000 : 10)}`,
    ).join('\n');

    const reply = noticeReply(release, {
      kind: 'legacy',
      text: 'x'.repeat(5000),
      detail: `stopMirror on ${FAILING_HOST}: failed\n${output}\n\`\`\` break out`,
    });

    expectWithinLimits(reply);
    const code = reply.blocks[1]?.type === 'section' ? (reply.blocks[1].text?.text ?? '') : '';
    expect(code.startsWith('```\n')).toBe(true);
    expect(code.endsWith('\n```')).toBe(true);
    expect(code.match(/```/g)).toHaveLength(2);
    expect(code).toContain('break out');
    expect(code).not.toContain('line 4984 ');
    expect(reply.blocks[2]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '4987 earlier lines not shown.' }],
    });
  });

  it('shows a short detail whole', async () => {
    const { release } = await releaseIn('rollingBack');

    const reply = noticeReply(release, {
      kind: 'alarmFired',
      alarmName: 'orders-api-canary-5xx',
      reason: 'Threshold Crossed',
    });

    expect(reply.text).toBe('orders-api 1.4.2: Alarm orders-api-canary-5xx is ALARM. Rolling back.');
    expect(reply.blocks).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'Alarm orders-api-canary-5xx is ALARM. Rolling back.' },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '```\nThreshold Crossed\n```' } },
    ]);
  });
});
