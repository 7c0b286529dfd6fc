import type { HostOperationRun, HostStatus } from './runs';

/*
 * Run Command's MaxErrors, as the engine reads it. A count ("2") is known at once; a share ("10%") is of the
 * fleet, whose size no SSM event carries (SendCommand with tag targets answers TargetCount 0 and the status
 * events have no counts), so a share is read against the hosts that reported, once the command has ended.
 *
 *   host fails ──► count: failures <= n ? warn, go on : roll back   (SSM stops dispatching past n itself)
 *                  share: warn, wait for the command's end
 *   command ends ─► failures heard <= budget(hosts heard) and >= 1 ? the step completes, with a warning
 *                                                                 : roll back
 */

/** What counts against MaxErrors: a failed or timed-out host. A cancelled one does not (SSM's own rule). */
export function countsAsError(status: HostStatus): boolean {
  return status === 'failed' || status === 'timedOut';
}

/**
 * How many failed hosts `maxErrors` tolerates among `reported` hosts: a count as written; a share of the hosts
 * that reported, rounded down (so "10%" of 9 hosts tolerates none, never more than SSM would).
 *
 * @example
 * errorBudget('2', 10) // 2
 * errorBudget('25%', 10) // 2
 */
export function errorBudget(maxErrors: string, reported: number): number {
  if (!maxErrors.endsWith('%')) return Number.parseInt(maxErrors, 10) || 0;
  const share = Number.parseFloat(maxErrors.slice(0, -1)) || 0;
  return Math.floor((share * reported) / 100 + 1e-9);
}

/** The hosts of a run whose result counts against MaxErrors, in the order they reported. */
export function failedHosts(run: HostOperationRun): string[] {
  return Object.entries(run.hosts)
    .filter(([, status]) => countsAsError(status))
    .map(([hostId]) => hostId);
}

/**
 * True while a host's failure may still be within the step's MaxErrors: always for a share (judged when the
 * command ends), and for a count while the failures do not exceed it. A step without MaxErrors tolerates none.
 */
export function mayTolerate(run: HostOperationRun): boolean {
  const maxErrors = run.step.rateControl?.maxErrors;
  if (maxErrors === undefined || errorBudget(maxErrors, Number.MAX_SAFE_INTEGER) === 0) return false;
  if (maxErrors.endsWith('%')) return true;
  return failedHosts(run).length <= errorBudget(maxErrors, 0);
}

/** At the command's end: at least one host failed, and no more than MaxErrors of those that reported. */
export function withinErrorBudget(run: HostOperationRun): boolean {
  const maxErrors = run.step.rateControl?.maxErrors;
  if (maxErrors === undefined) return false;
  const failed = failedHosts(run).length;
  const reported = Object.values(run.hosts).filter((status) => status !== 'pending').length;
  return failed >= 1 && failed <= errorBudget(maxErrors, reported);
}
