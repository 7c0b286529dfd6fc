import { formatPercent } from '../../domain/plan';
import { hasExposure } from '../../domain/rollback-types';
import { colourSwitch } from '../../domain/strategy';
import type { Release, ReleaseState } from '../../domain/types';
import { noDataNames, shareIndex, shareText } from './card-parts';
import { escapeMrkdwn } from './mrkdwn';

/** Each state's emoji and phrase; a Record over every state, so a new state breaks the build here. */
export const STATES: Readonly<Record<ReleaseState, readonly [string, (release: Release) => string]>> = {
  deployingCanary: ['🚀', (r) => `Deploying ${r.toVersion} to the canary stack`],
  creatingCanaryStack: ['🏗️', (r) => `Creating a canary stack that runs ${r.toVersion} (CloudFormation)`],
  awaitingCanaryStack: ['🏗️', () => 'Waiting for your tooling to build the canary stack'],
  startingMirror: ['🪞', (r) => `Giving the canary ${shareText(r)}`],
  shiftingTraffic: ['🔀', (r) => `Giving the canary ${shareText(r)}`],
  deployingIdle: ['🚀', (r) => `Deploying ${r.toVersion} to the idle ${colours(r).to} fleet`],
  runningHook: ['🪝', (r) => `Running the hook ${hookName(r)}`],
  switchingListener: ['🔀', (r) => `Switching the listener to ${colours(r).to}: all traffic at once`],
  verifying: [
    '⏳',
    (r) =>
      colourSwitch(r.strategy)
        ? `Verifying: ${colours(r).to} serves all traffic; the watched alarms must stay quiet`
        : `Verifying: the canary gets ${shareText(r)}; the watched alarms must stay quiet`,
  ],
  inconclusive: [
    '❔',
    (r) => {
      const run = r.run?.kind === 'inconclusive' ? r.run : undefined;
      return run?.marginal
        ? `Marginal: the canary scored ${run.marginal.score} against stable, between a fail and a pass. Roll back, or an approver may Promote anyway`
        : `Inconclusive: no data from ${noDataNames(run?.noData ?? [])}, so the window proves nothing. Roll back, or an approver may Promote anyway`;
    },
  ],
  awaitingApproval: ['🙋', (r) => `Waiting for approval: press Promote to ${nextMove(r)}`],
  stoppingMirror: ['🔌', () => 'Stopping the mirror: the stable hosts go back on their own nginx'],
  promoting: ['📦', (r) => `Promoting ${r.toVersion} on the stable fleet, batch by batch${batchText(r)}`],
  restoringProxy: ['🔌', () => 'Putting the stable hosts back on their own nginx'],
  baking: [
    '🍞',
    (r) =>
      `Baking: the whole stable fleet runs ${r.toVersion}; if its alarms fire now, ${r.fromVersion} goes back, batch by batch`,
  ],
  cleaningUp: ['🧹', (r) => (r.canaryStack ? 'Deleting the canary stack' : 'Removing the canary')],
  rollingBack: [
    '🔄',
    (r) =>
      colourSwitch(r.strategy)
        ? `Rolling back: ${colours(r).from} (${r.fromVersion}) gets all traffic again`
        : `Rolling back: the stable fleet ${promoted(r) ? 'gets' : 'keeps'} ${r.fromVersion}`,
  ],
  rollbackFailed: ['🚨', () => 'ROLLBACK FAILED: this release needs a person'],
  succeeded: [
    '✅',
    (r) =>
      colourSwitch(r.strategy)
        ? `Succeeded: ${colours(r).to} runs ${r.toVersion} and is live; ${colours(r).from} keeps ${r.fromVersion} as the way back`
        : `Succeeded: the stable fleet runs ${r.toVersion}`,
  ],
  rolledBack: [
    '↩️',
    (r) =>
      colourSwitch(r.strategy)
        ? `Rolled back: ${colours(r).from} (${r.fromVersion}) is live`
        : `Rolled back: the stable fleet runs ${r.fromVersion}`,
  ],
};

const PHASE_WORDS = {
  surveying: 'reading who is behind the load balancer',
  draining: 'out of the load balancer, draining',
  swapping: 'swapping',
  admitting: 'back in the load balancer, waiting for healthy',
} as const;

/** Where a drained rollout is: `: batch 2 of 3 (i-0c, i-0d) swapping`; nothing for an undrained one. */
export function batchText(release: Release): string {
  const rollout = release.run?.kind === 'hostOperation' ? release.run.rollout : undefined;
  if (rollout === undefined) return '';
  if (rollout.phase === 'surveying') return `: ${PHASE_WORDS.surveying}`;
  // Instance ids as the load balancer listed them: outside text, escaped like any other.
  const hosts = (rollout.batches[rollout.batch] ?? []).map(escapeMrkdwn);
  return `: batch ${rollout.batch + 1} of ${rollout.batches.length} (${hosts.join(', ')}) ${PHASE_WORDS[rollout.phase]}`;
}

export const promoted = (release: Release) => hasExposure(release.exposure, 'stablePromoted');

/** A blue/green release's colours: the one live before it, and the one it deploys and switches to. */
export function colours(release: Release): { from: string; to: string } {
  return colourSwitch(release.strategy) ?? { from: 'stable', to: 'new' };
}

/** What Promote does next: raise the share (a step approved on its own) or promote the stable fleet. */
function nextMove(release: Release): string {
  const next = release.plan[release.cursor + 1];
  const percent =
    release.strategy.kind === 'steps' ? release.strategy.steps[shareIndex(release) + 1] : undefined;
  if (next?.kind === 'hostOperation' && next.operation === 'shiftTraffic' && percent !== undefined) {
    return `send ${formatPercent(percent)}% of users to the canary`;
  }
  if (colourSwitch(release.strategy)) return `keep ${colours(release).to} live`;
  return `roll ${release.toVersion} out to the stable fleet`;
}

/** The hook running now, as the service names it. */
function hookName(release: Release): string {
  const step = release.run?.step;
  if (step?.kind === 'hook') return escapeMrkdwn(step.name);
  return step?.kind === 'hostOperation' ? escapeMrkdwn(step.parameters.Hook ?? '') : '';
}
