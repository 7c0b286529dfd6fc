import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ListenerSwitchRefusedError } from '../domain/errors';
import type { AlarmCatalog, ListenerSwitch } from '../domain/ports';
import { type PreflightAnswer, type PreflightQuestion, preflightAnswer } from './preflight-protocol';

/** The preflight function failed or answered something else than the protocol: the request fails, nothing is written. */
export class PreflightFailedError extends Error {
  readonly code = 'PREFLIGHT_FAILED';
  override readonly name = 'PreflightFailedError';
}

/**
 * The alarm catalog and the live colour's reader for the Slack function, answered by the read-only `preflight`
 * function through a synchronous invocation (`RequestResponse`): one Invoke per question, only on a start or a
 * revert that needs it. A listener that cannot be read comes back as the same refusal the ELB adapter raises.
 */
export function lambdaPreflight(
  client: LambdaClient,
  options: { functionName: string },
): { alarmCatalog: AlarmCatalog; listeners: Pick<ListenerSwitch, 'liveTargetGroup'> } {
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
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
