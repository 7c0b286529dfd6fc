import { afterAll, afterEach, expect } from 'vitest';
import { smithyModel } from './smithy-model';

/** AWS's models in `../shared/aws-models/`, by the API a mocked client speaks. */
const MODELS = {
  ssm: 'ssm-2014-11-06.json',
  elb: 'elastic-load-balancing-v2-2015-12-01.json',
  cloudWatch: 'cloudwatch-2010-08-01.json',
  eventBridge: 'eventbridge-2015-10-07.json',
  scheduler: 'scheduler-2021-06-30.json',
  dynamodb: 'dynamodb-2012-08-10.json',
} as const;
export type ModelledApi = keyof typeof MODELS;

type Model = ReturnType<typeof smithyModel>;
const loaded = new Map<ModelledApi, Model>();
const modelOf = (api: ModelledApi): Model => {
  const known = loaded.get(api);
  if (known) return known;
  const model = smithyModel(MODELS[api]);
  loaded.set(api, model);
  return model;
};

/** What aws-sdk-client-mock records of a call: the command sent, and the promise the mock answered it with. */
interface RecordedCall {
  readonly args: readonly unknown[];
  readonly returnValue?: unknown;
}
interface Recorder {
  calls(): readonly RecordedCall[];
}

const counts = new Map<ModelledApi, { requests: number; answers: number }>();

/**
 * Holds a mocked client to AWS's contract for the rest of the test file: after each test (and wherever `check` is
 * called, before a mid-test `reset`), every request the adapters sent must fit its operation's input shape and
 * every answer the mock gave its output shape; a test fails on the first violation, naming member and trait. The
 * counts checked per API are printed once the file is done.
 */
export function holdToContract(api: ModelledApi, mock: Recorder): { check(): Promise<void> } {
  // Each call's command object is its own: a call is checked once, whatever resets happen around it.
  const checked = new WeakSet<object>();
  const check = async () => {
    const fresh = mock.calls().filter((call) => !checked.has(call.args[0] as object));
    for (const call of fresh) checked.add(call.args[0] as object);
    const model = modelOf(api);
    const misfits: string[] = [];
    let answers = 0;
    for (const call of fresh) {
      const command = call.args[0] as { constructor: { name: string }; input: unknown };
      const operation = command.constructor.name.replace(/Command$/, '');
      misfits.push(...model.requestMisfits([call]));
      const answer = await Promise.resolve(call.returnValue).catch(() => undefined);
      if (answer !== undefined && answer !== null) {
        answers++;
        misfits.push(...model.answerMisfits(operation, answer).map((m) => `${operation} answer ${m}`));
      }
    }
    const count = counts.get(api) ?? { requests: 0, answers: 0 };
    counts.set(api, { requests: count.requests + fresh.length, answers: count.answers + answers });
    expect(misfits, `${api}: requests or answers outside AWS's model`).toEqual([]);
  };
  afterEach(check);
  afterAll(() => {
    const checked = counts.get(api);
    if (checked)
      console.log(`contract ${api}: ${checked.requests} requests, ${checked.answers} answers checked`);
    counts.delete(api);
  });
  return { check };
}
