import { startRefusal } from '../domain/access';
import { outlinePlan, type PlanPreview, previewOf } from '../domain/plan-preview';
import type { PlanSurvey } from '../domain/plan-survey';
import { type RequestRefusal, requestRelease } from '../domain/release-request';
import { liveTargetGroup, type StartDeps, type StartInput } from './start-release';

export type PreviewInput = Omit<StartInput, 'requestId'>;

export type PreviewResult =
  | { readonly ok: true; readonly preview: PlanPreview }
  | {
      readonly ok: false;
      readonly reason:
        | RequestRefusal
        | 'unknown-service'
        | 'invalid-config'
        | 'no-current-version'
        | 'listener-unreadable';
      readonly message: string;
    };

/** What a preview reads: what a start reads, and the survey of the fleets and alarms it would act on and watch. */
export type PreviewDeps = StartDeps & { readonly survey: PlanSurvey };

/** Never saved: a preview's release exists only in the answer, so its id only has to be well-formed. */
const PREVIEW_ID = 'plan-preview';

/**
 * Plans a start exactly as `startRelease` would, and writes nothing (`/canary plan`), step by step:
 * 1. Load the service's configuration (unknown or invalid -> no plan).
 * 2. Read the freezes, the version the stable fleet runs and any release in progress; ask the domain whether this
 *    actor may start it from this channel (a refusal is shown with the plan, not instead of it).
 * 3. For blue/green, read the live colour (unreadable -> no plan).
 * 4. Plan the release with `requestRelease` (options outside the service's bounds -> no plan).
 * 5. Survey the fleets it acts on and the alarms it watches, and say what stops it from running.
 */
export async function previewStart(deps: PreviewDeps, input: PreviewInput): Promise<PreviewResult> {
  const found = await deps.configs.get(input.service);
  if (found === null) {
    return {
      ok: false,
      reason: 'unknown-service',
      message: `No service called ${input.service} is configured.`,
    };
  }
  if (!found.ok) {
    const message = `${input.service}'s configuration is invalid: ${found.errors.join('; ')}`;
    return { ok: false, reason: 'invalid-config', message };
  }
  const [freezes, fromVersion, activeReleaseId] = await Promise.all([
    deps.store.freezesOf(input.service),
    deps.versions.current(input.service),
    deps.store.activeReleaseId(input.service),
  ]);
  if (fromVersion === null) {
    return {
      ok: false,
      reason: 'no-current-version',
      message: `No current version is recorded for ${input.service}; record the version its stable fleet runs first.`,
    };
  }
  const live = await liveTargetGroup(deps, found.config);
  if (typeof live === 'object') return { ok: false, reason: 'listener-unreadable', message: live.message };
  const requested = requestRelease({
    ...input,
    releaseId: PREVIEW_ID,
    config: found.config,
    fromVersion,
    ...(live ? { liveTargetGroupArn: live } : {}),
    now: deps.clock.now(),
  });
  if (!requested.ok) return requested;
  const outline = outlinePlan(requested.release);
  const survey = await deps.survey.survey({
    fleets: outline.fleets.map((f) => f.tags),
    alarms: outline.alarms,
  });
  const denial = startRefusal(found.config, { actor: input.requestedBy, channel: input.channel }, freezes);
  return { ok: true, preview: previewOf(requested.release, outline, survey, { denial, activeReleaseId }) };
}

/** The plan preview use case over its ports. */
export function planPreviews(deps: PreviewDeps) {
  return { preview: (input: PreviewInput) => previewStart(deps, input) };
}
export type PlanPreviews = ReturnType<typeof planPreviews>;
