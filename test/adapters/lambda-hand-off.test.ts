import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HandOffFailedError, lambdaHandOff } from '../../adapters/lambda-hand-off';

const lambda = mockClient(LambdaClient);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => lambda.restore());
beforeEach(() => lambda.reset());

const EFFECTS = 'arn:aws:lambda:eu-west-1:123456789012:function:canary-agent-test-effects';
const handOff = lambdaHandOff(new LambdaClient({}), { functionName: EFFECTS });

describe('lambdaHandOff', () => {
  it('invokes the effects function asynchronously with the release id and its own source', async () => {
    // Invoke answers an `Event` invocation with 202 and no payload (Lambda API reference, Invoke).
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    await handOff.handOff('orders-api-r1');

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: EFFECTS, InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      source: 'canary-agent.effects',
      releaseId: 'orders-api-r1',
    });
  });

  it('fails when Lambda did not queue the invocation, so the sweeper runs the outbox instead', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });

    await expect(handOff.handOff('orders-api-r1')).rejects.toBeInstanceOf(HandOffFailedError);
  });
});
