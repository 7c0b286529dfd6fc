import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ListenerSwitchRefusedError } from '../domain/errors';
import type { PlanSurvey } from '../domain/plan-survey';
import type { AlarmCatalog, ListenerSwitch } from '../domain/ports';
import { type PreflightAnswer, type PreflightQuestion, preflightAnswer } from './preflight-protocol';

/** The preflight function failed or answered something else than the protocol: the request fails, nothing is written. */
export class PreflightFailedError extends Error {
  readonly code = 'PREFLIGHT_FAILED';
  override readonly name = 'PreflightFailedError';
}

/**
 * The alarm catalog, the live colour's reader and the plan survey for the Slack function, answered by the read-only
 * `preflight` function through a synchronous invocation (`RequestResponse`): one Invoke per question, only on a
 * start, a revert or a plan that needs it. A listener that cannot be read comes back as the same refusal the ELB
 * adapter raises.
 */
export function lambdaPreflight(
  client: LambdaClient,
  options: { functionName: string },
): {
  alarmCatalog: AlarmCatalog;
  listeners: Pick<ListenerSwitch, 'liveTargetGroup'>;
  survey: PlanSurvey;
} {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  async function ask(question: PreflightQuestion): Promise<PreflightAnswer> {
    const { StatusCode, FunctionError, Payload } = await client.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: 'RequestResponse',
        Payload: encoder.encode(JSON.stringify(question)),
      }),
    );
    const text = Payload ? decoder.decode(Payload) : '';
    if (StatusCode !== 200 || FunctionError !== undefined) {
      const { errorType, errorMessage } = safeJson(text) as { errorType?: string; errorMessage?: string };
      throw new PreflightFailedError(
        `the preflight function failed (${FunctionError ?? StatusCode}): ${errorType ?? 'Error'}: ${errorMessage ?? text}`,
      );
    }
    const answer = preflightAnswer.safeParse(safeJson(text));
    if (!answer.success || answer.data.ask !== question.ask) {
      throw new PreflightFailedError(
        `the preflight function answered ${text.slice(0, 200)} to ${question.ask}`,
      );
    }
    return answer.data;
  }

  return {
    alarmCatalog: {
      async missing(names) {
        if (names.length === 0) return [];
        const answer = await ask({ ask: 'missingAlarms', names: [...names] });
        return 'missing' in answer ? answer.missing : [];
      },
    },
    listeners: {
      async liveTargetGroup(route) {
        const answer = await ask({ ask: 'liveTargetGroup', route: { ...route } });
        if ('refused' in answer) throw new ListenerSwitchRefusedError(answer.refused);
        return 'targetGroupArn' in answer ? answer.targetGroupArn : null;
      },
    },
    survey: {
      async survey(question) {
        const answer = await ask({
          ask: 'surveyPlan',
          fleets: question.fleets.map((tags) => ({ ...tags })),
          alarms: [...question.alarms],
        });
        // Fleets are answered by position: a count for another list would be shown against the wrong fleet.
        if (answer.ask !== 'surveyPlan' || answer.fleets.length !== question.fleets.length) {
          throw new PreflightFailedError('the preflight function answered another survey than asked');
        }
        return { fleets: answer.fleets, alarms: answer.alarms };
      },
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
