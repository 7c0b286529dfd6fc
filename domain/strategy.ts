import type { Colour } from './types';

/**
 * How the canary gets traffic: `mirror` sends shadow copies of a share of requests (responses discarded);
 * `steps` sends a growing share of real users (by a sticky cookie, testers always, VIPs never) step by step;
 * `blueGreen` deploys the idle colour and switches the load balancer's listener to it, all traffic at once.
 */
export type Strategy =
  | { readonly kind: 'mirror'; readonly percent: number }
  | {
      readonly kind: 'steps';
      readonly steps: readonly number[];
      readonly bakeSeconds: number;
      /** Mirror this share of requests to the canary for one window first, before any user reaches it. */
      readonly mirror?: { readonly percent: number };
    }
  | { readonly kind: 'blueGreen'; readonly from: Colour; readonly to: Colour }
  /**
   * Puts back the version a succeeded release (`of`) replaced, with no canary and no window: the promotion of
   * that version on the stable fleet, or for a blue/green release the listener switched back (`colours`).
   */
  | {
      readonly kind: 'revert';
      readonly of: string;
      readonly colours?: { readonly from: Colour; readonly to: Colour };
    };

/**
 * The colours a release switches the listener between: a blue/green release's, or a blue/green revert's (back to
 * the colour that still runs the previous version); undefined for a release that switches nothing.
 *
 * @example
 * colourSwitch({ kind: 'revert', of: 'orders-api-r1', colours: { from: 'green', to: 'blue' } }) // { from: 'green', to: 'blue' }
 */
/**
 * The share of requests a release mirrors to the canary: a mirror release's, or the first phase of a steps release
 * that mirrors first; undefined for a release that mirrors nothing.
 *
 * @example
 * mirroredPercent({ kind: 'steps', steps: [5, 100], bakeSeconds: 600, mirror: { percent: 10 } }) // 10
 */
export function mirroredPercent(strategy: Strategy): number | undefined {
  if (strategy.kind === 'mirror') return strategy.percent;
  return strategy.kind === 'steps' ? strategy.mirror?.percent : undefined;
}

export function colourSwitch(strategy: Strategy): { readonly from: Colour; readonly to: Colour } | undefined {
  if (strategy.kind === 'blueGreen') return { from: strategy.from, to: strategy.to };
  return strategy.kind === 'revert' ? strategy.colours : undefined;
}
