import { blueGreenOf } from './listener-plan';
import { CUSTOM_DEPLOYS, customDeployParameters, operationParameters } from './operation-parameters';
import type { PlanInput } from './plan';
import type { TrafficDrain } from './rollout-types';
import type { Fleet, HostOperationName, HostOperationStep } from './types';

/* The plan's host operation steps: which fleet each runs on, with what, in batches and drained where it swaps. */

/** The fleet each operation runs on; `deployIdle` always gets the idle colour passed in. */
const FLEET_OF: Readonly<Record<HostOperationName, Fleet>> = {
  deployCanary: 'canary',
  removeCanary: 'canary',
  startMirror: 'stable',
  shiftTraffic: 'stable',
  stopMirror: 'stable',
  promote: 'stable',
  restoreStable: 'stable',
  deployIdle: 'blue',
  runHook: 'canary',
};

/** A builder of the plan's host operation steps, with each operation's parameters and fleet filled in. */
export function hostOperations(input: PlanInput) {
  const { config, releaseId } = input;
  const parameters = operationParameters(input);
  const custom = (operation: HostOperationName) =>
    config.deploy && CUSTOM_DEPLOYS.has(operation) ? config.deploy.document : undefined;
  return (
    state: HostOperationStep['state'],
    operation: HostOperationName,
    onFailure: HostOperationStep['onFailure'] = 'rollback',
    overrides: Readonly<Record<string, string>> = {},
    fleet: Fleet = FLEET_OF[operation],
  ): HostOperationStep => ({
    kind: 'hostOperation',
    state,
    operation,
    fleet,
    targets: fleetTags(input, fleet),
    parameters: {
      Service: config.service,
      ReleaseId: releaseId,
      ...(custom(operation) ? customDeployParameters(input, operation) : parameters[operation]),
      ...overrides,
    },
    timeoutSeconds: config.hostOperationTimeoutSeconds,
    // Promotion rolls over the stable fleet in batches; every other operation uses the agent's default.
    ...(operation === 'promote'
      ? { rateControl: { maxConcurrency: config.promotion.batchSize, maxErrors: config.promotion.maxErrors } }
      : {}),
    ...(swapsStableImage(operation, fleet) ? drainOf(input) : {}),
    ...(custom(operation) ? { document: custom(operation) } : {}),
    onFailure,
  });
}

/** The operations that restart the stable fleet's containers, which users reach through its target groups. */
function swapsStableImage(operation: HostOperationName, fleet: Fleet): boolean {
  return fleet === 'stable' && (operation === 'promote' || operation === 'restoreStable');
}

/** The stable fleet's target groups (the live colour's, for a blue/green service), when it names any. */
function drainOf(input: PlanInput): { drain?: TrafficDrain } {
  const { config } = input;
  const targetGroupArns = input.liveColour
    ? [blueGreenOf(input)[input.liveColour].targetGroupArn]
    : config.fleets.stable?.targetGroupArns;
  if (targetGroupArns === undefined) return {};
  const { batchSize, drainTimeoutSeconds, healthyTimeoutSeconds } = config.promotion;
  return { drain: { targetGroupArns, batchSize, drainTimeoutSeconds, healthyTimeoutSeconds } };
}

/** The EC2 tags that select a fleet's hosts; for a blue/green service, `stable` is the live colour. */
function fleetTags(input: PlanInput, fleet: Fleet): Readonly<Record<string, string>> {
  const { config } = input;
  if (fleet === 'blue' || fleet === 'green') return blueGreenOf(input)[fleet].tags;
  if (fleet === 'stable' && input.liveColour) return blueGreenOf(input)[input.liveColour].tags;
  const tags = config.fleets[fleet]?.tags;
  // The schema requires fleets.stable unless blueGreen is set, and requestRelease always knows the live colour then.
  if (tags === undefined) throw new Error(`${config.service} has no ${fleet} fleet`);
  return tags;
}
