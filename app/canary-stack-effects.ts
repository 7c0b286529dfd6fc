import { CanaryStackRefusedError } from '../domain/errors';
import type { CanaryStacks, ReleaseStore } from '../domain/ports';
import type { Effect, ReleaseEvent } from '../domain/types';

type StackEffect = Extract<Effect, { kind: 'createCanaryStack' | 'deleteCanaryStack' }>;

/** CloudFormation's idempotency token for one step: its id, in the characters the token allows. */
export function requestToken(stepId: string): string {
  return stepId.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 128);
}

/**
 * Creates or deletes the release's stack, only while the release still runs this very step: a create the sweeper
 * retries after the release gave up on it must never bring a stack back. CloudFormation's status event ends the
 * step; only what ends here (a refusal, a stack already gone) comes back at once.
 */
export async function runCanaryStackEffect(
  ports: { readonly store: ReleaseStore; readonly stacks: CanaryStacks },
  releaseId: string,
  effect: StackEffect,
): Promise<ReleaseEvent | null> {
  const release = await ports.store.load(releaseId);
  if (release?.run?.stepId !== effect.stepId) return null;
  const { stackName } = effect;
  const token = requestToken(effect.stepId);
  if (effect.kind === 'deleteCanaryStack') {
    const outcome = await ports.stacks.delete(stackName, token);
    return outcome === 'gone' ? { kind: 'canaryStackDeleted', stackName } : null;
  }
  try {
    const { templateUrl, parameters, timeoutMinutes } = effect;
    const tags = { 'canary-agent:release': releaseId, 'canary-agent:service': release.service };
    await ports.stacks.create({ stackName, templateUrl, parameters, timeoutMinutes, token, tags });
    return null;
  } catch (error) {
    if (!(error instanceof CanaryStackRefusedError)) throw error;
    return { kind: 'canaryStackCreateFailed', stackName, reason: error.message };
  }
}
