import { describe, expect, it } from 'vitest';
import { smithyModel } from '../support/smithy-model';

/*
 * The contract checker the adapters' tests use (test/support/smithy-model.ts), on AWS's own models: a request that
 * breaks any kind of rule the models hold is caught, named by member and trait, and a sound one passes.
 */

const ssm = smithyModel('ssm-2014-11-06.json');
const dynamo = smithyModel('dynamodb-2012-08-10.json');
const cloudWatch = smithyModel('cloudwatch-2010-08-01.json');
const SEND = 'com.amazonaws.ssm#SendCommandRequest';

const send = {
  DocumentName: 'canary-agent-prod-promote',
  InstanceIds: ['i-0123456789abcdef0'],
  Parameters: { Version: ['1.4.2'] },
  MaxConcurrency: '10%',
  MaxErrors: '0',
  TimeoutSeconds: 600,
  Comment: 'canary-agent orders-api-r1 r1.7',
};

const rules = (shape: string, value: unknown, model = ssm) =>
  model.violations(shape, value).map((m) => `${m.path} ${m.trait}`);

describe('the contract checker', () => {
  it('passes a request that keeps every rule', () => {
    expect(ssm.misfits(SEND, send)).toEqual([]);
  });

  it.each([
    ['a missing required member', { ...send, DocumentName: undefined }, '$.DocumentName required'],
    [
      'a member the shape does not have',
      { ...send, Instances: ['i-0123456789abcdef0'] },
      '$.Instances unknown member',
    ],
    ['a string where a number belongs', { ...send, TimeoutSeconds: '600' }, '$.TimeoutSeconds type'],
    ['a list where a string belongs', { ...send, Comment: ['x'] }, '$.Comment type'],
    [
      'a 101-character comment (length, at most 100)',
      { ...send, Comment: 'c'.repeat(101) },
      '$.Comment length',
    ],
    [
      '51 instance ids (length of a list, at most 50)',
      { ...send, InstanceIds: Array(51).fill('i-0123456789abcdef0') },
      '$.InstanceIds length',
    ],
    ['a concurrency of 0% (pattern)', { ...send, MaxConcurrency: '0%' }, '$.MaxConcurrency pattern'],
    [
      'an instance id of the wrong shape, inside a list (pattern)',
      { ...send, InstanceIds: ['i-12'] },
      '$.InstanceIds[0] pattern',
    ],
    ['a timeout under 30 s (range)', { ...send, TimeoutSeconds: 5 }, '$.TimeoutSeconds range'],
    ['a hash type the enum does not list', { ...send, DocumentHashType: 'MD5' }, '$.DocumentHashType enum'],
    [
      'a map value of the wrong type',
      { ...send, Parameters: { Version: '1.4.2' } },
      '$.Parameters.Version type',
    ],
  ])('catches %s', (_what, request, broken) => {
    expect(rules(SEND, request)).toEqual([broken]);
  });

  it('accepts the percentages and counts Run Command documents for MaxConcurrency, and nothing else', () => {
    for (const ok of ['1', '50', '1%', '10%', '100%'])
      expect(rules(SEND, { ...send, MaxConcurrency: ok })).toEqual([]);
    for (const bad of ['0', '101%', '10.5%', 'all'])
      expect(rules(SEND, { ...send, MaxConcurrency: bad })).toEqual(['$.MaxConcurrency pattern']);
  });

  it('catches a union that sets two members, and a timestamp that is not a Date', () => {
    const item = { TableName: 'releases', Item: { pk: { S: 'release#1', N: '1' } } };
    expect(rules('com.amazonaws.dynamodb#PutItemInput', item, dynamo)).toEqual(['$.Item.pk union']);
    const query = {
      MetricDataQueries: [{ Id: 'm0q0canary', Expression: 'SUM(METRICS())' }],
      StartTime: '2026-12-04T10:00:00Z',
      EndTime: new Date('2026-12-04T10:05:00Z'),
    };
    expect(rules('com.amazonaws.cloudwatch#GetMetricDataInput', query, cloudWatch)).toEqual([
      '$.StartTime type',
    ]);
  });

  it('names the operation, member and trait in what it reports', () => {
    class SendCommandCommand {
      constructor(readonly input: unknown) {}
    }
    const calls = [{ args: [new SendCommandCommand({ ...send, Comment: 'c'.repeat(120) })] }];
    expect(ssm.requestMisfits(calls)).toEqual([
      'SendCommand.Comment: length: 120 characters is outside 0..100',
    ]);
  });
});
