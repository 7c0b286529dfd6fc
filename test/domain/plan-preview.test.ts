import { describe, expect, it } from 'vitest';
import { outlinePlan, previewOf } from '../../domain/plan-preview';
import { type ReleaseRequest, requestRelease } from '../../domain/release-request';
import type { ServiceConfig } from '../../domain/service-config';
import type { Release } from '../../domain/types';
import { BLUE_GREEN, blueGreenConfig, serviceConfig } from '../../local/fixture-service-config';
import { ALB, analysed } from '../support/analysis';

/* What `/canary plan` makes of a planned release: its fleets, alarms, analysis, duration and blockers. */

const TEMPLATE =
  'https://canary-agent-prod-canary-templates.s3.eu-west-1.amazonaws.com/orders-api/canary.yml';
const STABLE = { 'canary-agent:fleet': 'orders-api-stable' };
const CANARY = { 'canary-agent:fleet': 'orders-api-canary' };

function planned(config: ServiceConfig, request: Partial<ReleaseRequest> = {}): Release {
  const result = requestRelease({
    releaseId: 'plan-preview',
    config,
    fromVersion: '1.4.1',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: 'U0REQUESTER' },
    now: '2026-11-22T14:00:00.000Z',
    ...request,
  });
  if (!result.ok) throw new Error(result.message);
  return result.release;
}

describe('outlinePlan', () => {
  it('names the fleets a mirror release acts on, the alarms it watches and how long it watches', () => {
    const release = planned(serviceConfig({ promotion: { bakeSeconds: 300 } }), { windowSeconds: 600 });

    const outline = outlinePlan(release);

    expect(outline.fleets).toEqual([
      { fleet: 'canary', tags: CANARY },
      { fleet: 'stable', tags: STABLE },
    ]);
    expect(outline.alarms).toEqual(['orders-api-canary-5xx', 'orders-api-stable-health']);
    expect(outline.stackAlarms).toBe(false);
    expect(outline.analysis).toBeUndefined();
    expect(outline.duration).toEqual({
      watchingSeconds: 900,
      windows: [600],
      bakeSeconds: 300,
      approvals: 1,
      waitsForStack: false,
    });
  });

  it('counts a window per weighted step, and the mirrored one before them', () => {
    const release = planned(serviceConfig({ approvals: { required: false, users: [] } }), {
      strategy: { kind: 'steps', steps: [5, 25, 100], mirrorFirst: true },
      windowSeconds: 300,
    });

    expect(outlinePlan(release).duration).toEqual({
      watchingSeconds: 1200,
      windows: [300, 300, 300, 300],
      bakeSeconds: 0,
      approvals: 0,
      waitsForStack: false,
    });
  });

  it('acts only on the idle colour in blue/green, and judges it against the old colour', () => {
    const config = blueGreenConfig({ analysis: { loadBalancer: ALB, minimumRequests: 100 } });
    const release = planned(config, {
      strategy: { kind: 'blueGreen' },
      liveTargetGroupArn: BLUE_GREEN.blue.targetGroupArn,
    });

    const outline = outlinePlan(release);

    expect(outline.fleets).toEqual([{ fleet: 'green', tags: BLUE_GREEN.green.tags }]);
    expect(outline.alarms).toEqual(['orders-api-green-5xx', 'orders-api-stable-health']);
    expect(outline.analysis).toEqual({
      judged: ['errorRate', 'latencyP99'],
      against: 'oldColour',
      intervalSeconds: 60,
      minimumRequests: 100,
      thresholds: { pass: 95, marginal: 75 },
      bake: false,
    });
  });

  it('describes the analysis of a canary against stable, and of the bake when the service asks for one', () => {
    const release = planned(analysed());
    const withBake = planned(
      serviceConfig({
        validation: { defaultWindowSeconds: 300, minWindowSeconds: 300 },
        analysis: { loadBalancer: ALB, minimumRequests: 100 },
        promotion: { bakeSeconds: 600, bakeAnalysis: true },
      }),
    );

    expect(outlinePlan(release).analysis).toMatchObject({ against: 'stable', bake: false });
    expect(outlinePlan(withBake).analysis).toMatchObject({ against: 'stable', bake: true });
  });

  it("checks a temporary stack's configured alarms now and leaves its own to the stack", () => {
    const release = planned(
      serviceConfig({
        fleets: { stable: { tags: STABLE } },
        canaryStack: { provisionedBy: 'cloudformation', template: { url: TEMPLATE } },
        alarms: { canary: [], stable: ['orders-api-stable-health'] },
      }),
    );

    const outline = outlinePlan(release);

    expect(outline.fleets).toEqual([{ fleet: 'stable', tags: STABLE }]);
    expect(outline.alarms).toEqual(['orders-api-stable-health']);
    expect(outline.stackAlarms).toBe(true);
    expect(outline.duration.waitsForStack).toBe(true);
  });
});

describe('previewOf', () => {
  const release = planned(serviceConfig());
  const outline = outlinePlan(release);
  const ok = { name: 'orders-api-canary-5xx', state: 'OK' } as const;
  const stableOk = { name: 'orders-api-stable-health', state: 'OK' } as const;

  it('has no blocker when every fleet has an online instance and every alarm exists', () => {
    const preview = previewOf(
      release,
      outline,
      {
        fleets: [
          { all: 1, online: 1 },
          { all: 4, online: 3 },
        ],
        alarms: [ok, stableOk],
      },
      { denial: null, activeReleaseId: null },
    );

    expect(preview.blockers).toEqual([]);
    expect(preview.fleets[1]).toEqual({ fleet: 'stable', tags: STABLE, instances: { all: 4, online: 3 } });
    expect(preview.activeReleaseId).toBeUndefined();
  });

  it('is blocked by a fleet no command can reach, a missing alarm and the access policy, each named', () => {
    const frozen = {
      reason: 'frozen',
      freezes: [
        { scope: 'orders-api', by: { kind: 'person', id: 'U0APPROVER1' }, at: '2026-11-22T13:00:00Z' },
      ],
    } as const;

    const preview = previewOf(
      release,
      outline,
      {
        fleets: [
          { all: 0, online: 0 },
          { all: 2, online: 0 },
        ],
        alarms: [ok, { name: 'orders-api-stable-health', missing: true }],
      },
      { denial: frozen, activeReleaseId: 'orders-api-r7' },
    );

    expect(preview.blockers).toEqual([
      { kind: 'denied', denial: frozen },
      { kind: 'noInstances', fleet: { fleet: 'canary', tags: CANARY }, instances: { all: 0, online: 0 } },
      { kind: 'noInstances', fleet: { fleet: 'stable', tags: STABLE }, instances: { all: 2, online: 0 } },
      { kind: 'missingAlarms', names: ['orders-api-stable-health'] },
    ]);
    expect(preview.activeReleaseId).toBe('orders-api-r7');
  });
});
