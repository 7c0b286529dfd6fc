import { describe, expect, it } from 'vitest';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { PLAN_RUN_ACTION_ID, planPreviewMessage } from '../../adapters/slack-presentation/plan-preview';
import type { FreezeService } from '../../app/freeze-service';
import type { RoutingListRequests } from '../../app/routing-list-requests';
import { outlinePlan, type PlanPreview, previewOf } from '../../domain/plan-preview';
import type { PlanSurvey, PlanSurveyAnswer } from '../../domain/plan-survey';
import { requestRelease } from '../../domain/release-request';
import type { ServiceConfig } from '../../domain/service-config';
import { RELEASE_STATES } from '../../domain/types';
import { parseCanaryCommand } from '../../handlers/slack/canary-command';
import type { SlackDeps } from '../../handlers/slack/command-answers';
import { answerPlan } from '../../handlers/slack/plan-answers';
import { optionWords, parseOptions, type StartOptions } from '../../handlers/slack/start-options';
import {
  APPROVER,
  BLUE_GREEN,
  blueGreenConfig,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { ALB } from '../support/analysis';
import { harness } from '../support/harness';

/* The answer to `/canary plan`, as Slack shows it, and the words its Run button carries. */

function preview(
  config: ServiceConfig,
  survey: PlanSurveyAnswer,
  options: Partial<Parameters<typeof requestRelease>[0]> = {},
): PlanPreview {
  const result = requestRelease({
    releaseId: 'plan-preview',
    config,
    fromVersion: '1.4.1',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: 'U0REQUESTER' },
    now: '2026-11-22T14:00:00.000Z',
    ...options,
  });
  if (!result.ok) throw new Error(result.message);
  return previewOf(result.release, outlinePlan(result.release), survey, { denial: null });
}

const textOf = (message: ReturnType<typeof planPreviewMessage>) =>
  message.blocks
    .map((block) => (block.type === 'section' ? (block.text?.text ?? '') : JSON.stringify(block)))
    .join('\n');
const healthy: PlanSurveyAnswer = {
  fleets: [
    { all: 1, online: 1 },
    { all: 4, online: 3 },
  ],
  alarms: [
    { name: 'orders-api-canary-5xx', state: 'OK', since: '2026-11-22T13:00:00.000Z' },
    { name: 'orders-api-stable-health', state: 'ALARM' },
  ],
};

describe('the plan preview', () => {
  it('says each step in words, the fleets and alarms as they are now, the analysis and the duration', () => {
    const config = serviceConfig({
      promotion: { bakeSeconds: 300 },
      analysis: { loadBalancer: ALB, minimumRequests: 100 },
    });

    const message = planPreviewMessage(preview(config, healthy, { windowSeconds: 600 }), {
      runValue: 'orders-api 1.4.2 window=600',
    });
    const text = textOf(message);

    expect(message.text).toBe('Plan for orders-api 1.4.1 → 1.4.2: it can run');
    expect(text).toContain('*Plan: orders-api 1.4.1 → 1.4.2*, mirroring 10%. Nothing was changed');
    expect(text).toContain('✅ *It can run*');
    expect(text).toContain(
      [
        '*Steps*',
        '1. deploy 1.4.2 to the canary',
        '2. mirror 10% of requests',
        '3. verify for 10 min',
        '4. wait for an approver',
        '5. stable hosts back on nginx',
        '6. promote 1.4.2 on the stable fleet',
        '7. bake: watch the stable fleet for 5 min',
        '8. remove the canary',
        'If it goes wrong, the rollback: stable hosts back on nginx, then put 1.4.1 back on the stable fleet, then remove the canary.',
      ].join('\n'),
    );
    expect(text).toContain('• the canary fleet, `canary-agent:fleet=orders-api-canary`: 1 instance, online');
    expect(text).toContain(
      '• the stable fleet, `canary-agent:fleet=orders-api-stable`: 4 instances, 3 online (⚠️ Run Command cannot reach the rest)',
    );
    expect(text).toContain('🟢 `orders-api-canary-5xx`: *OK* since <!date^');
    expect(text).toContain('🔴 `orders-api-stable-health`: *ALARM*');
    expect(text).toContain(
      '*Analysis*: every 1 min, the canary’s error %, p99 against the stable fleet’s over the same minutes. At the window’s end a score of 95 or more passes, 75 to 95 waits for a person, under 75 rolls back; fewer than 100 canary requests count as no data.',
    );
    expect(text).toContain(
      '*Expected duration*: about 15 min of watching (a 10 min window and a 5 min bake), plus the time the hosts take. The approval waits for a person, for as long as they take.',
    );
    expect(message.blocks.at(-1)).toEqual({
      type: 'actions',
      block_id: 'plan:orders-api:1.4.2',
      elements: [
        {
          type: 'button',
          action_id: PLAN_RUN_ACTION_ID,
          value: 'orders-api 1.4.2 window=600',
          style: 'primary',
          text: { type: 'plain_text', text: 'Run', emoji: true },
        },
      ],
    });
  });

  it('never shows the engine’s names for states and operations', () => {
    const config = blueGreenConfig();
    const bg = preview(
      config,
      { fleets: [{ all: 2, online: 2 }], alarms: [] },
      { strategy: { kind: 'blueGreen' }, liveTargetGroupArn: BLUE_GREEN.blue.targetGroupArn },
    );

    const text = textOf(planPreviewMessage(bg, { runValue: 'orders-api 1.4.2 strategy=blue-green' }));

    expect(text).toContain('1. deploy 1.4.2 to the idle green fleet');
    expect(text).toContain('2. switch the listener to green');
    expect(text).toContain(
      'the green fleet (the idle colour), `canary-agent:fleet=orders-api-green`: 2 instances, all online',
    );
    expect(text).toContain('If it goes wrong, the rollback: switch the listener back to blue.');
    const camelCase = [
      ...RELEASE_STATES.filter((s) => /[A-Z]/.test(s)),
      'deployIdle',
      'deployCanary',
      'blueGreen',
    ];
    for (const name of camelCase) expect(text).not.toContain(name);
  });

  it('says why a plan cannot run, and has no Run button then', () => {
    const blocked = preview(serviceConfig(), {
      fleets: [
        { all: 0, online: 0 },
        { all: 2, online: 0 },
      ],
      alarms: [
        { name: 'orders-api-canary-5xx', state: 'OK' },
        { name: 'orders-api-stable-health', missing: true },
      ],
    });

    const message = planPreviewMessage(blocked, { runValue: 'orders-api 1.4.2' });
    const text = textOf(message);

    expect(message.text).toBe('Plan for orders-api 1.4.1 → 1.4.2: it cannot run now');
    expect(text).toContain('⛔ *It cannot run now:*');
    expect(text).toContain(
      '• No instance carries the tags of the canary fleet (`canary-agent:fleet=orders-api-canary`): Run Command would reach no host.',
    );
    expect(text).toContain(
      '• None of the 2 instances with the tags of the stable fleet (`canary-agent:fleet=orders-api-stable`) is online in SSM',
    );
    expect(text).toContain(
      '• *orders-api* watches alarms that do not exist in CloudWatch: `orders-api-stable-health`.',
    );
    expect(text).toContain('❌ `orders-api-stable-health`: does not exist');
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
  });
});

describe('answerPlan', () => {
  it('tells a person who may not start the service that the plan cannot run, and who may', async () => {
    const config = serviceConfig({ requesters: { users: [APPROVER], groups: [] } });
    const h = harness({ configs: [config] });
    const everyFleetUp: PlanSurvey = {
      survey: async ({ fleets, alarms }) => ({
        fleets: fleets.map(() => ({ all: 2, online: 2 })),
        alarms: alarms.map((name) => ({ name, state: 'OK' as const })),
      }),
    };
    const deps: SlackDeps = {
      service: h.service,
      store: h.store,
      configs: memoryServiceConfigs([config]),
      freezes: {} as FreezeService, // A preview never freezes anything.
      plans: h.previewing(everyFleetUp),
      lists: {} as RoutingListRequests, // Nor does it read or change a routing list.
    };
    const stranger = {
      userId: STRANGER,
      requestId: 'slack:test',
      channelId: 'C0RELEASES',
      groupsAmong: async () => [],
      groupHandles: async () => new Map<string, string>(),
    };

    const answer = await answerPlan(
      deps,
      { kind: 'plan', service: 'orders-api', version: '1.4.2' },
      stranger,
    );

    expect(typeof answer === 'string' ? answer : answer.text).toBe(
      'Plan for orders-api 1.4.1 → 1.4.2: it cannot run now',
    );
    expect(typeof answer === 'string' ? '' : textOf(answer)).toContain(
      `⛔ *It cannot run now:*\n• You may not start *orders-api*: only <@${APPROVER}> may.`,
    );
  });
});

describe('/canary plan words', () => {
  it('takes the same words as start', () => {
    expect(
      parseCanaryCommand('plan orders-api 1.4.2 mirror=10 window=15m strategy=mirror,steps:5,25,100'),
    ).toEqual({
      ok: true,
      command: {
        kind: 'plan',
        service: 'orders-api',
        version: '1.4.2',
        percent: 10,
        windowSeconds: 900,
        strategy: { kind: 'steps', steps: [5, 25, 100], mirrorFirst: true },
      },
    });
  });

  it('answers a plan without a version, or with an option that is not one, with its own usage', () => {
    const noVersion = parseCanaryCommand('plan orders-api');
    const badOption = parseCanaryCommand('plan orders-api 1.4.2 mirror=lots');

    expect(noVersion.ok || noVersion.message).toContain('e.g. `/canary plan orders-api 1.4.2`');
    expect(noVersion.ok || noVersion.message).toContain('Usage: `/canary plan ‹service› ‹version›');
    expect(badOption.ok || badOption.message).toMatch(
      /^`mirror=lots` is not a percentage: .*\nUsage: `\/canary plan ‹service› ‹version› \[the options of start\]`$/,
    );
  });

  it.each<StartOptions>([
    {},
    { percent: 2.5 },
    { windowSeconds: 5400 },
    { strategy: { kind: 'mirror' }, percent: 10 },
    { strategy: { kind: 'steps' } },
    { strategy: { kind: 'steps', steps: [5, 25, 50, 100] }, windowSeconds: 600 },
    { strategy: { kind: 'steps', mirrorFirst: true } },
    { strategy: { kind: 'steps', steps: [1.25, 100], mirrorFirst: true }, percent: 0.01 },
    { strategy: { kind: 'blueGreen' } },
  ])('carries %j on the Run button as words that parse back to the same options', (options) => {
    expect(parseOptions(optionWords(options))).toEqual({ ok: true, value: options });
  });
});
