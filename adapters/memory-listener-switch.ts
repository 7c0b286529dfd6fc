import { ListenerSwitchRefusedError } from '../domain/errors';
import type { ListenerSwitch } from '../domain/ports';
import type { TrafficRoute } from '../domain/types';

/** A route's key: its rule when it has one, its listener otherwise. */
const keyOf = (route: TrafficRoute) => route.ruleArn ?? route.listenerArn;

/**
 * Listeners (and rules) held in memory, keyed by ARN, with the ELB adapter's rules: a switch from the live target
 * group moves it, a switch to the live one changes nothing, any other is refused. The sandbox's load balancer and
 * the tests read it.
 */
export function memoryListenerSwitch(initial: Readonly<Record<string, string>> = {}) {
  const live = new Map(Object.entries(initial));
  const switches: { listenerArn: string; from: string; to: string }[] = [];
  const port: ListenerSwitch = {
    async liveTargetGroup(route) {
      const current = live.get(keyOf(route));
      if (current === undefined) throw new ListenerSwitchRefusedError(`${keyOf(route)} not found`);
      return current;
    },
    async switch(route, from, to) {
      const listenerArn = keyOf(route);
      const current = live.get(listenerArn);
      if (current === undefined) throw new ListenerSwitchRefusedError(`${listenerArn} not found`);
      if (current === to) return;
      if (current !== from) {
        throw new ListenerSwitchRefusedError(
          `the listener forwards to ${current}, not to ${from}; it was changed by someone else`,
        );
      }
      live.set(listenerArn, to);
      switches.push({ listenerArn, from, to });
    },
  };
  return {
    ...port,
    /** Where a listener (or rule) forwards now. */
    forwardsTo: (arn: string) => live.get(arn),
    /** Points a listener (or rule) somewhere by hand, as a person in the console would. */
    pointAt: (listenerArn: string, targetGroupArn: string) => void live.set(listenerArn, targetGroupArn),
    switches,
  };
}
