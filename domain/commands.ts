import type { Effect, HostOperationStep } from './types';

/** The Run Command a host operation step sends: to every host its tags select, or to `instanceIds` only. */
export function commandEffect(
  step: HostOperationStep,
  stepId: string,
  batch?: { readonly instanceIds: readonly string[]; readonly maxErrors: string },
): Effect {
  const rateControl = batch
    ? { maxConcurrency: String(batch.instanceIds.length), maxErrors: batch.maxErrors }
    : step.rateControl;
  return {
    kind: 'runHostOperation',
    stepId,
    operation: step.operation,
    fleet: step.fleet,
    targets: step.targets,
    parameters: step.parameters,
    timeoutSeconds: step.timeoutSeconds,
    ...(rateControl ? { rateControl } : {}),
    ...(batch ? { instanceIds: batch.instanceIds } : {}),
    ...(step.document ? { document: step.document } : {}),
  };
}
