import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { getTestEvent } from '../../local/fixture-events';
import { handlersOnDynamo } from './handlers-on-dynamo';

/*
 * A pipeline's "Release Requested" for a busy service, through the real middy handlers on DynamoDB Local (AWS APIs
 * mocked): queued, then started by the function that saved the end of the running release.
 */

const { ssm, invoke, sentCommandId, ssmEvent, load, finish, startRelease } = handlersOnDynamo();

const requested = (id: string, version: string) =>
  getTestEvent('canary-agent/release-requested', { id, detail: { version } });

describe('the pipeline function on a busy service', () => {
  it('answers { queued } and starts the queued release once the running one has rolled back', async () => {
    const running = await startRelease();

    const answer = (await invoke('pipeline', requested('second-request', '1.4.3'))) as Record<string, string>;
    const again = await invoke('pipeline', requested('second-request', '1.4.3'));

    expect(answer).toEqual({ queued: expect.any(String), message: expect.stringContaining('is queued') });
    expect(again).toMatchObject({ refused: 'duplicate-request' });
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
    const deployCanary = await sentCommandId(0);
    await invoke('ssmCommand', ssmEvent('invocation', deployCanary, 'deploy-canary', 'Failed'));
    await invoke('ssmCommand', ssmEvent('command', deployCanary, 'deploy-canary', 'Failed'));
    await finish('remove-canary', 1);

    expect((await load(running)).state).toBe('rolledBack');
    const next = await load(answer.queued as string);
    expect(next).toMatchObject({
      toVersion: '1.4.3',
      fromVersion: '1.4.1',
      state: 'deployingCanary',
      requestedBy: { kind: 'pipeline', id: 'orders-api/main#512' },
    });
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 3);
    expect(ssm).toHaveReceivedNthCommandWith(SendCommandCommand, 3, {
      DocumentName: 'canary-agent-test-deploy-canary',
      Parameters: expect.objectContaining({ Version: ['1.4.3'], ReleaseId: [next.id] }),
    });
  });
});
