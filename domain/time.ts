import type { Instant } from './types';

/** `addSeconds('2026-11-22T14:00:00.000Z', 90)` -> `'2026-11-22T14:01:30.000Z'`. Pure: no clock is read. */
export function addSeconds(at: Instant, seconds: number): Instant {
  return new Date(Date.parse(at) + seconds * 1000).toISOString();
}

export function isAtOrAfter(at: Instant, reference: Instant): boolean {
  return Date.parse(at) >= Date.parse(reference);
}

export function secondsBetween(from: Instant, to: Instant): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 1000);
}

export function isBefore(at: Instant, reference: Instant): boolean {
  return Date.parse(at) < Date.parse(reference);
}
