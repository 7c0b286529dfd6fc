import type { PlanInput } from './plan';
import type { Colour, ListenerSwitchStep } from './types';

/** How long the agent waits for a listener switch (one API call, retried by the sweeper) before giving up. */
export const LISTENER_SWITCH_TIMEOUT_SECONDS = 300;

export function blueGreenOf(input: PlanInput) {
  const bg = input.config.blueGreen;
  // requestRelease refuses blue/green for a service without it; reaching here without it is a bug.
  if (bg === undefined) throw new Error(`${input.config.service} has no blueGreen configuration`);
  return bg;
}

export function listenerSwitch(
  input: PlanInput,
  direction: ListenerSwitchStep['direction'],
  colours: { readonly from: Colour; readonly to: Colour },
): ListenerSwitchStep {
  const bg = blueGreenOf(input);
  const [from, to] = direction === 'forward' ? [colours.from, colours.to] : [colours.to, colours.from];
  return {
    kind: 'switchListener',
    state: direction === 'forward' ? 'switchingListener' : 'rollingBack',
    direction,
    listenerArn: bg.listenerArn,
    ...(bg.ruleArn ? { ruleArn: bg.ruleArn } : {}),
    fromTargetGroupArn: bg[from].targetGroupArn,
    toTargetGroupArn: bg[to].targetGroupArn,
    timeoutSeconds: LISTENER_SWITCH_TIMEOUT_SECONDS,
  };
}
