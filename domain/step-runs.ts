import { commandEffect } from './commands';
import { surveyStart } from './rollout-batches';
import { addSeconds } from './time';
import type {
  CanaryStackStep,
  Effect,
  HostOperationStep,
  Instant,
  ListenerSwitchStep,
  OperationRun,
  StepRun,
  UndoStep,
} from './types';

/* How each kind of operation step starts: what runs, the effect that runs it, and whether it takes traffic. */

/** Margin after a host operation's own timeout for SSM delivery and the result event to reach us. */
export const HOST_OPERATION_MARGIN_SECONDS = 120;

export type RunStart = Pick<StepRun, 'stepId' | 'origin' | 'startedAt'>;

export interface Started {
  readonly run: OperationRun;
  readonly effect: Effect;
  /** True when the step puts (real or mirrored) traffic on the new version: alarms count from then on. */
  readonly takesTraffic: boolean;
}

export function operationRun(step: UndoStep, common: RunStart, now: Instant): Started {
  switch (step.kind) {
    case 'hostOperation':
      return hostOperationRun(step, common, now);
    case 'switchListener':
      return listenerSwitchRun(step, common, now);
    case 'canaryStack':
      return canaryStackRun(step, common, now);
  }
}

function hostOperationRun(step: HostOperationStep, common: RunStart, now: Instant): Started {
  if (step.drain) return { ...surveyStart({ ...step, drain: step.drain }, common, now), takesTraffic: false };
  return {
    run: {
      ...common,
      kind: 'hostOperation',
      step,
      deadlineAt: addSeconds(now, step.timeoutSeconds + HOST_OPERATION_MARGIN_SECONDS),
      hosts: {},
    },
    effect: commandEffect(step, common.stepId),
    takesTraffic: step.operation === 'startMirror' || step.operation === 'shiftTraffic',
  };
}

function listenerSwitchRun(step: ListenerSwitchStep, common: RunStart, now: Instant): Started {
  return {
    run: { ...common, kind: 'switchListener', step, deadlineAt: addSeconds(now, step.timeoutSeconds) },
    effect: {
      kind: 'switchListener',
      stepId: common.stepId,
      listenerArn: step.listenerArn,
      ...(step.ruleArn ? { ruleArn: step.ruleArn } : {}),
      fromTargetGroupArn: step.fromTargetGroupArn,
      toTargetGroupArn: step.toTargetGroupArn,
    },
    takesTraffic: step.direction === 'forward',
  };
}

/** Creating or deleting the canary stack: CloudFormation's status event ends it (see canary-stack-events.ts). */
function canaryStackRun(step: CanaryStackStep, common: RunStart, now: Instant): Started {
  const deadlineAt = addSeconds(now, step.timeoutSeconds + HOST_OPERATION_MARGIN_SECONDS);
  const effect: Effect =
    step.action === 'create'
      ? {
          kind: 'createCanaryStack',
          stepId: common.stepId,
          stackName: step.stackName,
          templateUrl: step.templateUrl ?? '',
          parameters: step.parameters,
          timeoutMinutes: Math.ceil(step.timeoutSeconds / 60),
        }
      : { kind: 'deleteCanaryStack', stepId: common.stepId, stackName: step.stackName };
  return { run: { ...common, kind: 'canaryStack', step, deadlineAt }, effect, takesTraffic: false };
}
