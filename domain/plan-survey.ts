import type { AlarmState, Instant } from './types';

/*
 * The ports of a plan preview (`/canary plan`): what it reads of the world as it is now, changing nothing. They sit
 * beside ports.ts rather than in it because that file is at its size budget.
 */

/** How many instances carry every one of a fleet's tags now: all of them, and those whose SSM agent is online. */
export interface InstanceCount {
  readonly all: number;
  readonly online: number;
  /** Set when counting stopped at its limit: there are more instances than `all`. */
  readonly incomplete?: true;
}

/** Counts a fleet's instances by its EC2 tags, as Run Command's tag targets select them. Reads only. */
export interface InstanceCensus {
  count(tags: Readonly<Record<string, string>>): Promise<InstanceCount>;
}

/** An alarm as it stands now, or `missing` when no alarm has that name (never mistaken for one without data). */
export type AlarmNow =
  | { readonly name: string; readonly state: AlarmState; readonly since?: Instant }
  | { readonly name: string; readonly missing: true };

/** Alarms as they stand now, in the order asked. Reads only. */
export interface AlarmStates {
  states(alarmNames: readonly string[]): Promise<readonly AlarmNow[]>;
}

/** What a preview asks at once: the instances of each fleet (answered in the same order) and each alarm's state. */
export interface PlanSurveyQuestion {
  readonly fleets: readonly Readonly<Record<string, string>>[];
  readonly alarms: readonly string[];
}

export interface PlanSurveyAnswer {
  readonly fleets: readonly InstanceCount[];
  readonly alarms: readonly AlarmNow[];
}

/**
 * Reads what a plan would act on and watch, in one question: the Slack function holds no SSM or CloudWatch right
 * and asks the read-only preflight function, once per preview.
 */
export interface PlanSurvey {
  survey(question: PlanSurveyQuestion): Promise<PlanSurveyAnswer>;
}
