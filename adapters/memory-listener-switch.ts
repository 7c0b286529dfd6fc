import { ListenerSwitchRefusedError } from '../app/errors';
import type { ListenerSwitch } from '../domain/ports';

/**
 * Listeners held in memory, with the ELB adapter's rules: a switch from the live target group moves it, a switch
 * to the live one changes nothing, any other is refused. The sandbox's load balancer and the tests read it.
 */
export function memoryListenerSwitch(initial: Readonly<Record<string, string>> = {}) {
  const live = new Map(Object.entries(initial));
  const switches: { listenerArn: string; from: string; to: string }[] = [];
  const port: ListenerSwitch = {
    async liveTargetGroup(listenerArn) {
      if (!live.has(listenerArn)) throw new ListenerSwitchRefusedError(`listener ${listenerArn} not found`);
      return live.get(listenerArn) ?? null;
    },
    async switch(listenerArn, from, to) {
      const current = live.get(listenerArn);
      if (current === undefined) throw new ListenerSwitchRefusedError(`listener ${listenerArn} not found`);
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
    /** Where the listener forwards now. */
    forwardsTo: (listenerArn: string) => live.get(listenerArn),
    /** Points the listener somewhere by hand, as a person in the console would. */
    pointAt: (listenerArn: string, targetGroupArn: string) => void live.set(listenerArn, targetGroupArn),
    switches,
  };
}
