import { failedCritical, failingMetrics, judgeOutcome } from './analysis-evidence';
import {
  type AnalysisProgress,
  analysisOf,
  intervalEnd,
  nextInterval,
  type ReleaseAnalysis,
  spanOf,
} from './canary-analysis';
import type { Judgement } from './judge';
import { holdForPerson, onNoData } from './no-data';
import type { Notice } from './notice';
import { type Draft, draft, enterStep, startRollback } from './steps';
import { isBefore } from './time';
import type { Effect, Instant, Release, ReleaseEvent, ValidationRun } from './types';

/*
 * How the canary analysis moves a release. Every interval of a window the judge runs on everything since the
 * window began: a failing critical metric, or `failureLimit` failing intervals in a row, roll back at once. When
 * the window ends with every watched alarm OK, the final analysis decides: pass moves on, marginal waits for a
 * person, fail rolls back, and no data is never a pass (`onNoData`).
 */

type Window = ValidationRun & { readonly analysis: AnalysisProgress };

/** An interval's timer: read the metrics since the window began, and set the next interval's timer. */
export function onIntervalTimer(release: Release, timerId: string, now: Instant): Draft | null {
  const { run, analysis } = windowOf(release);
  const next = run?.analysis.next;
  if (run === undefined || analysis === undefined || next?.timerId !== timerId) return null;
  const to = intervalEnd(analysis, run.startedAt, next.interval);
  if (isBefore(now, to) || run.analysis.finalId !== undefined) return null;
  const following = nextInterval(analysis, run, next.interval + 1);
  const { next: _fired, ...rest } = run.analysis;
  const progress: AnalysisProgress = following
    ? { ...rest, next: { interval: following.interval, timerId: following.timerId } }
    : rest;
  const effects: Effect[] = [
    { kind: 'analyseCanary', analysisId: timerId, span: spanOf(analysis, run.startedAt, to) },
    ...(following ? [{ kind: 'setTimer', timerId: following.timerId, at: following.at } as const] : []),
  ];
  const reading: Release = { ...release, run: { ...run, analysis: progress } };
  return {
    ...draft(reading, { kind: 'analysing', interval: next.interval }, 'progress'),
    effects,
  };
}

/**
 * The alarms passed at the window's end: with an analysis, its final read decides (see `onCanaryAnalysed`);
 * without one, the window passed.
 */
export function afterAlarmsPassed(release: Release, now: Instant): Draft {
  const { run, analysis } = windowOf(release);
  if (run === undefined || analysis === undefined) {
    const baked = release.run?.kind === 'validate' && release.run.step.state === 'baking';
    return enterStep(
      draft(release, { kind: baked ? 'bakePassed' : 'windowPassed' }),
      release.cursor + 1,
      now,
    );
  }
  const finalId = `${run.stepId}.${run.extended ? 'refinal' : 'final'}`;
  const { next: pending, ...progress } = run.analysis;
  const judging: Release = { ...release, run: { ...run, analysis: { ...progress, finalId } } };
  const effects: Effect[] = [
    ...(pending ? [{ kind: 'cancelTimer', timerId: pending.timerId } as const] : []),
    { kind: 'analyseCanary', analysisId: finalId, span: spanOf(analysis, run.startedAt, run.windowEndsAt) },
  ];
  return { ...draft(judging, { kind: 'judgingCanary' }, 'progress'), effects };
}

export function onCanaryAnalysed(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'canaryAnalysed' }>,
  now: Instant,
): Draft | null {
  const { run, analysis } = windowOf(release);
  if (run === undefined || analysis === undefined) return null;
  if (event.analysisId === run.analysis.finalId) {
    return onFinal(release, run, analysis, event, now);
  }
  const interval = intervalOf(run.stepId, event.analysisId);
  if (interval === undefined || interval <= run.analysis.judged || run.analysis.finalId !== undefined) {
    return null;
  }
  const from = run.startedAt;
  const span = { from, to: intervalEnd(analysis, from, interval), final: false };
  const { judgement, evidence } = judgeOutcome(analysis, event.outcome, span, now);
  const failing =
    judgement.verdict === 'fail'
      ? run.analysis.failing + 1
      : judgement.verdict === 'noData'
        ? run.analysis.failing
        : 0;
  const judged: Release = {
    ...release,
    evidence,
    run: { ...run, analysis: { ...run.analysis, judged: interval, failing } },
  };
  if (judgement.verdict === 'fail' && (failedCritical(judgement) || failing >= analysis.failureLimit)) {
    return failed(judged, run, analysis, judgement, true, now);
  }
  const { verdict, score } = evidence;
  const note = { kind: 'canaryJudged', interval, verdict, score, failing, ...limit(analysis) } as const;
  return draft(judged, note, 'progress');
}

function onFinal(
  release: Release,
  run: Window,
  analysis: ReleaseAnalysis,
  event: Extract<ReleaseEvent, { kind: 'canaryAnalysed' }>,
  now: Instant,
): Draft {
  const span = { from: run.startedAt, to: run.windowEndsAt, final: true };
  const { judgement, evidence } = judgeOutcome(analysis, event.outcome, span, now);
  const judged: Release = { ...release, evidence };
  const chart = chartEffect(run, analysis);
  const withChart = (d: Draft): Draft => ({ ...d, effects: [...d.effects, chart] });
  switch (judgement.verdict) {
    case 'pass': {
      const note: Notice =
        run.step.state === 'baking'
          ? { kind: 'bakePassed' }
          : { kind: 'canaryPassed', score: evidence.score };
      return withChart(enterStep(draft(judged, note), release.cursor + 1, now));
    }
    case 'fail':
      return failed(judged, run, analysis, judgement, false, now);
    case 'marginal':
      return withChart(holdMarginal(judged, run, evidence.score, judgement.reason, now));
    default:
      return withChart(onNoData(judged, run, [`the canary analysis (${judgement.reason})`], now));
  }
}

/** A marginal score waits for a person as an inconclusive window would, with the score instead of missing data. */
function holdMarginal(
  release: Release,
  run: ValidationRun,
  score: number,
  reason: string,
  now: Instant,
): Draft {
  const held = holdForPerson(release, run, [], now);
  const waiting = held.release.run;
  if (waiting?.kind !== 'inconclusive') return held;
  return draft(
    { ...held.release, run: { ...waiting, marginal: { score, reason } } },
    { kind: 'marginal', score, reason },
    'warning',
  );
}

function failed(
  release: Release,
  run: Window,
  analysis: ReleaseAnalysis,
  judgement: Judgement,
  early: boolean,
  now: Instant,
): Draft {
  const score = Math.round(judgement.score * 10) / 10;
  const metrics = failingMetrics(judgement);
  const reason = { kind: 'analysisFailed', score, metrics, reason: judgement.reason, early } as const;
  // startRollback cancels the window's timers, this interval's next one included.
  const rolling = startRollback(draft(release, reason), reason, now);
  const to = early ? now : run.windowEndsAt;
  return { ...rolling, effects: [...rolling.effects, chartEffect(run, analysis, to)] };
}

/** The chart of the window so far (or whole) goes in the release's thread once, when the window's verdict is in. */
function chartEffect(run: ValidationRun, analysis: ReleaseAnalysis, to: Instant = run.windowEndsAt): Effect {
  return {
    kind: 'postEvidenceChart',
    chartId: `${run.stepId}.chart`,
    span: spanOf(analysis, run.startedAt, to),
  };
}

function limit(analysis: ReleaseAnalysis): { failureLimit: number } {
  return { failureLimit: analysis.failureLimit };
}

function windowOf(release: Release): { run?: Window; analysis?: ReleaseAnalysis } {
  const run = release.run;
  if (run?.kind !== 'validate' || run.analysis === undefined) return {};
  const analysis = analysisOf(release, run);
  return analysis === undefined ? {} : { run: run as Window, analysis };
}

/** `r-1.4.interval.3` -> 3 for the running step `r-1.4`; anything else is not this window's. */
function intervalOf(stepId: string, analysisId: string): number | undefined {
  const prefix = `${stepId}.interval.`;
  if (!analysisId.startsWith(prefix)) return undefined;
  const interval = Number(analysisId.slice(prefix.length));
  return Number.isInteger(interval) && interval > 0 ? interval : undefined;
}
