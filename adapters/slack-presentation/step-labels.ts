import type { HostOperationStep, Release, Step } from '../../domain/types';
import { memberStepLabel, named } from './card-group-steps';
import { duration, escapeMrkdwn } from './mrkdwn';

/**
 * A plan step in a person's words, for the card's timeline and the plan preview.
 * @example stepLabel(release, { kind: 'approval', … }) // 'approval'
 */
export function stepLabel(release: Release, step: Step): string {
  if (step.kind === 'awaitCanaryStack') return 'canary stack built by your tooling';
  if (step.kind === 'canaryStack') {
    return step.action === 'create'
      ? `create a canary stack with ${release.toVersion}`
      : 'delete the canary stack';
  }
  if (step.kind === 'hook') return `hook ${escapeMrkdwn(step.name)}`;
  if (step.kind === 'validate') {
    const what = step.settles === undefined ? 'verify' : `bake ${named(step.settles)}`;
    return `${what} for ${duration(step.windowSeconds)}`;
  }
  if (step.kind === 'approval') return 'approval';
  if (step.kind === 'switchListener') {
    const colours = release.strategy.kind === 'blueGreen' ? release.strategy : undefined;
    return step.direction === 'forward'
      ? `switch the listener to ${colours?.to ?? 'the new colour'}`
      : `switch the listener back to ${colours?.from ?? 'the old colour'}`;
  }
  if (step.member !== undefined) return memberStepLabel(release, step, step.member);
  const percent = escapeMrkdwn(step.parameters.MirrorPercent ?? step.parameters.CanaryPercent ?? '?');
  const labels: Record<HostOperationStep['operation'], string> = {
    deployCanary: `deploy ${release.toVersion} to the canary`,
    removeCanary: 'remove the canary',
    startMirror: `mirror ${percent}% of requests`,
    shiftTraffic: `send ${percent}% of users`,
    stopMirror:
      step.state === 'restoringProxy' ? 'stable hosts back on their own nginx' : 'stable hosts back on nginx',
    promote: `promote ${release.toVersion} on the stable fleet`,
    restoreStable: `put ${release.fromVersion} back on the stable fleet`,
    deployIdle: `deploy ${release.toVersion} to the idle ${step.fleet} fleet`,
    runHook: `hook ${escapeMrkdwn(step.parameters.Hook ?? '')} on the ${step.fleet} fleet`,
  };
  return labels[step.operation];
}
