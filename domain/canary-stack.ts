import { patterns } from './patterns';
import type { CanaryStackReport } from './ports';
import type { ServiceConfig } from './service-config';
import type { CanaryStackStep, Release, ReleaseEvent, Step, UndoStep } from './types';

/*
 * The temporary canary stack (`canaryStack.provisionedBy: cloudformation`): a CloudFormation stack made from the
 * service's template for one release, and deleted when the release ends. Its load balancer and alarms exist only
 * once the stack does, so the plan names them by placeholders that its outputs replace (`bindCanaryStack`).
 */

/** Stand-ins in a plan for what only the stack's outputs will say; no configured value can look like them. */
export const STACK_OUTPUT = {
  host: '{canaryStack.loadBalancerDNSName}',
  alarms: '{canaryStack.alarmNames}',
} as const;

/** The outputs a canary stack's template declares (examples/canary-stack.yml). */
export const OUTPUT_KEYS = {
  host: 'CanaryLoadBalancerDNSName',
  targetGroup: 'CanaryTargetGroupArn',
  alarms: 'CanaryAlarmNames',
} as const;

export interface CanaryStackOutputs {
  /** The canary load balancer's DNS name: where mirrored or routed requests go. */
  readonly host: string;
  readonly targetGroupArn?: string;
  /** The alarms that judge the canary, created with it. */
  readonly alarmNames: readonly string[];
}

/** The stack a release creates, once created: its name and what its outputs said. */
export interface CanaryStack extends CanaryStackOutputs {
  readonly stackName: string;
}

export function createsCanaryStack(config: ServiceConfig): boolean {
  return config.canaryStack.provisionedBy === 'cloudformation';
}

/** Where the canary answers: the configured load balancer, or the one the release's stack will output. */
export function canaryHostOf(config: ServiceConfig): string {
  return config.canaryStack.elbHost ?? STACK_OUTPUT.host;
}

/** The alarms that judge a canary as configured, plus those its temporary stack will create. */
export function configuredCanaryAlarms(config: ServiceConfig): readonly string[] {
  return createsCanaryStack(config) ? [...config.alarms.canary, STACK_OUTPUT.alarms] : config.alarms.canary;
}

/** Alarm names that exist before the release does: a start checks these, not the stack's placeholders. */
export function existingAlarmNames(names: readonly string[]): readonly string[] {
  return names.filter((name) => name !== STACK_OUTPUT.alarms);
}

/**
 * The stack's name without the agent's prefix (the adapter adds it): one stack per release, so a late event
 * about it finds its release by name.
 */
export function canaryStackName(releaseId: string): string {
  return `canary-${releaseId}`;
}

/** The release a canary stack belongs to, from its name; null for any other stack. */
export function releaseIdOfStack(stackName: string): string | null {
  const match = /^canary-([a-z0-9-]{1,100})$/.exec(stackName);
  return match?.[1] ?? null;
}

/** The steps that create the stack (forward path) and delete it (clean-up after promotion, and rollback). */
export function canaryStackSteps(input: {
  readonly releaseId: string;
  readonly config: ServiceConfig;
  readonly toVersion: string;
}): { create: CanaryStackStep; cleanUp: CanaryStackStep; undo: CanaryStackStep } {
  const { config, releaseId, toVersion } = input;
  const stack = config.canaryStack;
  const stackName = canaryStackName(releaseId);
  const remove = { kind: 'canaryStack', action: 'delete', stackName, parameters: {} } as const;
  return {
    create: {
      kind: 'canaryStack',
      state: 'creatingCanaryStack',
      action: 'create',
      stackName,
      templateUrl: stack.template?.url,
      parameters: {
        ...stack.template?.parameters,
        Service: config.service,
        Version: toVersion,
        Image: `${config.image.repository}:${toVersion}`,
      },
      timeoutSeconds: stack.readyTimeoutSeconds,
    },
    cleanUp: { ...remove, state: 'cleaningUp', timeoutSeconds: stack.deleteTimeoutSeconds },
    undo: { ...remove, state: 'rollingBack', timeoutSeconds: stack.deleteTimeoutSeconds },
  };
}

/**
 * Reads a created stack's outputs. They reach hosts (the mirror host) and CloudWatch (the alarms), so each is
 * held to the same pattern as the configuration it stands in for; a stack that judges the canary by nothing is
 * refused, as a configuration would be.
 */
export function readStackOutputs(
  outputs: Readonly<Record<string, string>>,
): { ok: true; outputs: CanaryStackOutputs } | { ok: false; reason: string } {
  const host = outputs[OUTPUT_KEYS.host]?.trim().toLowerCase();
  if (!host || !patterns.hostName.test(host)) {
    return {
      ok: false,
      reason: `its output ${OUTPUT_KEYS.host} is not a DNS name (${host ? 'got one' : 'missing'})`,
    };
  }
  const alarmNames = (outputs[OUTPUT_KEYS.alarms] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const badAlarm = alarmNames.find((name) => !patterns.alarmName.test(name));
  if (alarmNames.length === 0 || alarmNames.length > 10 || badAlarm !== undefined) {
    return {
      ok: false,
      reason: `its output ${OUTPUT_KEYS.alarms} must list 1 to 10 CloudWatch alarm names, comma-separated`,
    };
  }
  const targetGroupArn = outputs[OUTPUT_KEYS.targetGroup]?.trim();
  if (targetGroupArn && !patterns.targetGroupArn.test(targetGroupArn)) {
    return { ok: false, reason: `its output ${OUTPUT_KEYS.targetGroup} is not a target group ARN` };
  }
  return { ok: true, outputs: { host, alarmNames, ...(targetGroupArn ? { targetGroupArn } : {}) } };
}

/** The release with its stack's outputs in place of the placeholders: in every step, undo step and watched alarm. */
export function bindCanaryStack(release: Release, stack: CanaryStack): Release {
  const alarms = (names: readonly string[]) =>
    names.flatMap((name) => (name === STACK_OUTPUT.alarms ? stack.alarmNames : [name]));
  const parameters = (values: Readonly<Record<string, string>>) =>
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, value === STACK_OUTPUT.host ? stack.host : value]),
    );
  function bind<S extends Step>(step: S): S {
    if (step.kind === 'validate') return { ...step, alarms: alarms(step.alarms) };
    if (step.kind === 'hostOperation') return { ...step, parameters: parameters(step.parameters) };
    return step;
  }
  return {
    ...release,
    canaryStack: stack,
    plan: release.plan.map(bind),
    undo: release.undo.map((step) => bind<UndoStep>(step)),
    policy: { ...release.policy, watchedAlarms: [...new Set(alarms(release.policy.watchedAlarms))] },
  };
}

/** The engine's event for what CloudFormation says of a release's stack now; null while it is still at work. */
export function stackEventOf(stackName: string, report: CanaryStackReport): ReleaseEvent | null {
  switch (report.status) {
    case 'created':
      return { kind: 'canaryStackCreated', stackName, outputs: report.outputs };
    case 'createFailed':
      return { kind: 'canaryStackCreateFailed', stackName, reason: report.reason };
    case 'deleted':
      return { kind: 'canaryStackDeleted', stackName };
    case 'deleteFailed':
      return { kind: 'canaryStackDeleteFailed', stackName, reason: report.reason };
    case 'inProgress':
      return null;
  }
}
