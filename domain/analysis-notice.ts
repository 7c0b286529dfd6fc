import type { AnalysisFailure } from './canary-analysis';
import type { Verdict } from './judge';
import { type NoticeMedium, names } from './notice';
import { assertNever } from './plan';

/** What the canary analysis says as it goes: interval by interval, and its verdict at the window's end. */
export type AnalysisNotice =
  /** An interval's timer fired: the metrics so far are being read. */
  | { readonly kind: 'analysing'; readonly interval: number }
  /** The alarms passed at the window's end: the final analysis is being read. */
  | { readonly kind: 'judgingCanary' }
  | {
      readonly kind: 'canaryJudged';
      readonly interval: number;
      readonly verdict: Verdict;
      readonly score: number;
      /** Consecutive failing intervals so far, and how many roll back. */
      readonly failing: number;
      readonly failureLimit: number;
    }
  | { readonly kind: 'canaryPassed'; readonly score: number }
  | AnalysisFailure
  | { readonly kind: 'marginal'; readonly score: number; readonly reason: string }
  | { readonly kind: 'promotedMarginal'; readonly by: string; readonly score: number };

type Rendered = Exclude<AnalysisNotice, { kind: 'promotedMarginal' }>;

export function renderAnalysisNotice(notice: Rendered, m: NoticeMedium): string {
  switch (notice.kind) {
    case 'analysing':
      return `Interval ${notice.interval}: reading the canary's and stable's metrics.`;
    case 'judgingCanary':
      return 'Every watched alarm OK; judging the canary against stable.';
    case 'canaryJudged': {
      const head = `Interval ${notice.interval}: ${verdictWords(notice.verdict, notice.score)}`;
      return notice.verdict === 'fail'
        ? `${head} (${notice.failing} of ${notice.failureLimit} failing intervals in a row roll back).`
        : `${head}.`;
    }
    case 'canaryPassed':
      return `Validation window passed: every watched alarm OK, canary score ${notice.score}.`;
    case 'analysisFailed': {
      const which = notice.metrics.length > 0 ? `: ${names(notice.metrics, m)}` : '';
      const when = notice.early ? ' before the window ended' : '';
      return `The canary failed its analysis${when} (score ${notice.score}${which}). Rolling back.`;
    }
    case 'marginal':
      return `Marginal: the canary scored ${notice.score}. Roll back, or an approver may promote anyway.`;
    default:
      return assertNever(notice);
  }
}

/** `pass, score 100`, `no data yet`. */
export function verdictWords(verdict: Verdict, score: number): string {
  return verdict === 'noData' ? 'no data yet' : `${verdict}, score ${score}`;
}
