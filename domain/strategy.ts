import type { Colour, Strategy } from './types';

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
