import { describe, expect, it } from 'vitest';
import type { AgentSource } from '../../handlers/compose';
import { effectsHandler } from '../../handlers/effects';
import { timerHandler } from '../../handlers/timer';
import { getTestEvent } from '../../local/fixture-events';
import { lambdaContext } from '../../local/lambda-http';

/** An agent that records what reached the use cases; nothing should, for a refused event. */
function recordingAgent() {
  const calls: string[] = [];
  const release = { id: 'orders-api-r1', state: 'verifying' };
  const source = (async () => ({
    service: {
      apply: async (releaseId: string) => {
        calls.push(`apply ${releaseId}`);
        return { ok: true, changed: true, release };
      },
      runPending: async (releaseId: string) => {
        calls.push(`runPending ${releaseId}`);
        return { ran: 1 };
      },
    },
    store: {},
  })) as unknown as AgentSource;
  return { source, calls };
}

describe('internal events: only from where they can come', () => {
  it('the timer function applies what Scheduler sends it directly', async () => {
    const { source, calls } = recordingAgent();

    await timerHandler(source)(getTestEvent('canary-agent/timer-elapsed'), lambdaContext('timer'));

    expect(calls).toEqual(['apply orders-api-r1']);
  });

  it.each([
    ['a hand-off sent to the timer', getTestEvent('canary-agent/effects-pending')],
    [
      'a timer from another source',
      getTestEvent('canary-agent/timer-elapsed', { source: 'canary-agent.pipeline' }),
    ],
    [
      'a timer in an EventBridge envelope (as a bus would deliver it)',
      {
        source: 'canary-agent.timers',
        'detail-type': 'Release Timer Elapsed',
        detail: { releaseId: 'r', timerId: 't' },
      },
    ],
  ])('the timer function drops %s', async (_name, event) => {
    const { source, calls } = recordingAgent();

    const result = await timerHandler(source)(event, lambdaContext('timer'));

    expect(result).toEqual({ dropped: true });
    expect(calls).toEqual([]);
  });

  it('the effects function runs the outbox the Slack function handed on, and drops any other source', async () => {
    const { source, calls } = recordingAgent();
    const handler = effectsHandler(source);

    await handler(getTestEvent('canary-agent/effects-pending'), lambdaContext('effects'));
    const forged = await handler(getTestEvent('canary-agent/timer-elapsed'), lambdaContext('effects'));

    expect(calls).toEqual(['runPending orders-api-r1']);
    expect(forged).toEqual({ dropped: true });
  });
});
