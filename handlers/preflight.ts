import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type PreflightAnswer, preflightQuestion } from '../adapters/preflight-protocol';
import { ListenerSwitchRefusedError } from '../domain/errors';
import type { PlanSurvey } from '../domain/plan-survey';
import type { AlarmCatalog, ListenerSwitch } from '../domain/ports';
import { preflightPorts } from './compose-preflight';
import { logger } from './log';
import { parseEvent } from './parse-event';

export interface PreflightPorts {
  readonly alarmCatalog: AlarmCatalog;
  readonly listeners: Pick<ListenerSwitch, 'liveTargetGroup'>;
  readonly survey: PlanSurvey;
}

/**
 * The read-only questions the Slack function asks before it records a start or a revert, or to preview a plan
 * (adapters/preflight-protocol.ts), invoked synchronously by it alone. A question it cannot parse fails the
 * invocation (the Slack function reports it); a listener that cannot be read is an answer, the refusal the start shows.
 */
export function preflightHandler(ports: () => PreflightPorts) {
  return middy<unknown, PreflightAnswer>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event: unknown, _context) => {
      const question = parseEvent(preflightQuestion, event);
      if (question.ask === 'missingAlarms') {
        return { ask: 'missingAlarms', missing: [...(await ports().alarmCatalog.missing(question.names))] };
      }
      if (question.ask === 'surveyPlan') {
        const { fleets, alarms } = await ports().survey.survey(question);
        return { ask: 'surveyPlan', fleets: [...fleets], alarms: [...alarms] };
      }
      try {
        return {
          ask: 'liveTargetGroup',
          targetGroupArn: await ports().listeners.liveTargetGroup(question.route),
        };
      } catch (error) {
        if (!(error instanceof ListenerSwitchRefusedError)) throw error;
        return { ask: 'liveTargetGroup', refused: error.message };
      }
    });
}

export const handler = preflightHandler(preflightPorts);
