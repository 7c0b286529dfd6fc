import type { Colour, Strategy } from './types';

/**
 * The colours a release switches the listener between: a blue/green release's, or a blue/green revert's (back to
 * the colour that still runs the previous version); undefined for a release that switches nothing.
 *
 * @example
 * colourSwitch({ kind: 'revert', of: 'orders-api-r1', colours: { from: 'green', to: 'blue' } }) // { from: 'green', to: 'blue' }
 */
export function colourSwitch(strategy: Strategy): { readonly from: Colour; readonly to: Colour } | undefined {
  if (strategy.kind === 'blueGreen') return { from: strategy.from, to: strategy.to };
  return strategy.kind === 'revert' ? strategy.colours : undefined;
}
