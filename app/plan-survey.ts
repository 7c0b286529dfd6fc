import type { AlarmStates, InstanceCensus, PlanSurvey } from '../domain/plan-survey';

/** A survey from the two reads it is made of: every fleet's count and the alarms' states at once. */
export function surveyWith(census: InstanceCensus, alarms: AlarmStates): PlanSurvey {
  return {
    async survey(question) {
      const [fleets, states] = await Promise.all([
        Promise.all(question.fleets.map((tags) => census.count(tags))),
        question.alarms.length > 0 ? alarms.states(question.alarms) : [],
      ]);
      return { fleets, alarms: states };
    },
  };
}
