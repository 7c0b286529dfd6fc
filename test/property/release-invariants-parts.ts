import { OUTPUT_KEYS } from '../../domain/canary-stack';
import { isTerminal } from '../../domain/policies';
import type { Release } from '../../domain/types';
import { alarms, type ModelConfig } from './release-invariants-model';

/* What release-invariants-world.ts builds its service from, and how it judges that a release never went back. */

/** What the release's own canary stack outputs: its load balancer, judged by the model's canary alarm. */
export const STACK_OUTPUTS = {
  [OUTPUT_KEYS.host]: 'internal-canary-orders-1.eu-west-1.elb.amazonaws.com',
  [OUTPUT_KEYS.alarms]: alarms[0],
};

/** Where the canary runs: a standing fleet (made by the agent or the pipeline), or a stack per release. */
export function canaryOf(config: ModelConfig) {
  // A blue/green release has no canary: its fixture keeps the standing one.
  if (config.provisionedBy === 'cloudformation' && !config.blueGreen) {
    return {
      canaryStack: {
        provisionedBy: 'cloudformation' as const,
        template: { url: 'https://templates.s3.eu-west-1.amazonaws.com/orders-api/canary.yml' },
      },
      alarms: { canary: [], stable: ['orders-api-stable-health'] },
      fleets: {},
    };
  }
  return {
    canaryStack: {
      elbHost: 'orders-canary-123.eu-west-1.elb.amazonaws.com',
      provisionedBy: config.provisionedBy === 'external' ? ('external' as const) : ('agent' as const),
    },
    fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
  };
}

/** Forward progress first by phase, then by step: it may never go down. */
function progress(release: Release): [number, number] {
  if (isTerminal(release.state)) return [3, 0];
  if (release.rollback) return [2, release.rollback.cursor];
  return [1, release.cursor];
}

export function notBackwards(before: Release, after: Release): boolean {
  const [a, b] = [progress(before), progress(after)];
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
}
