import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../adapters/eventbridge-pattern';
import { getTestEvent } from '../../local/fixture-events';
import { eventRules } from '../../local/serverless-yml';

const rules = eventRules('dev');
const ruleOf = (functionName: string) => {
  const rule = rules.find((r) => r.functionName === functionName);
  if (!rule) throw new Error(`serverless.yml has no EventBridge rule for ${functionName}`);
  return rule;
};
const routed = (event: unknown) =>
  rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.functionName);

const ownDocument = 'canary-agent-dev-start-mirror';
const stackEvent = (stackName: string, status: string) =>
  getTestEvent('aws.cloudformation/stack-status-change', {
    detail: {
      'stack-id': `arn:aws:cloudformation:eu-west-1:123456789012:stack/${stackName}/5b5c2f30-c85f-11f0-9b3a-0a1b2c3d4e5f`,
      'status-details': { status },
    },
  });
const cases: { name: string; event: unknown; to: string[] }[] = [
  {
    name: 'a watched alarm (name prefix) goes to alarm',
    event: getTestEvent('aws.cloudwatch/alarm-state-change', {
      detail: { alarmName: 'canary-orders-api-5xx' },
    }),
    to: ['alarm'],
  },
  {
    name: 'the documented alarm (not watched) goes nowhere',
    event: getTestEvent('aws.cloudwatch/alarm-state-change'),
    to: [],
  },
  {
    name: 'an alarm with the prefix later in its name goes nowhere',
    event: getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { alarmName: 'orders-canary-5xx' } }),
    to: [],
  },
  {
    name: "a command status change of the agent's document goes to ssmCommand",
    event: getTestEvent('aws.ssm/command-status-change', { detail: { 'document-name': ownDocument } }),
    to: ['ssmCommand'],
  },
  {
    name: "an invocation status change of the agent's document goes to ssmCommand",
    event: getTestEvent('aws.ssm/command-invocation-status-change', {
      detail: { 'document-name': ownDocument },
    }),
    to: ['ssmCommand'],
  },
  {
    name: 'a weighted step (the shift-traffic document) goes to ssmCommand',
    event: getTestEvent('aws.ssm/command-invocation-status-change', {
      detail: { 'document-name': 'canary-agent-dev-shift-traffic' },
    }),
    to: ['ssmCommand'],
  },
  {
    name: 'the documented command of another document goes nowhere',
    event: getTestEvent('aws.ssm/command-invocation-status-change'),
    to: [],
  },
  {
    name: "another stage's document goes nowhere",
    event: getTestEvent('aws.ssm/command-status-change', {
      detail: { 'document-name': 'canary-agent-prod-start-mirror' },
    }),
    to: [],
  },
  {
    name: 'an InProgress invocation of our document goes nowhere (only final statuses are billed to a Lambda)',
    event: getTestEvent('aws.ssm/command-invocation-status-change', {
      detail: { 'document-name': ownDocument, status: 'InProgress' },
    }),
    to: [],
  },
  {
    name: "a status change of the agent's own canary stack goes to canaryStack",
    event: stackEvent('canary-agent-dev-canary-orders-api-r1', 'CREATE_COMPLETE'),
    to: ['canaryStack'],
  },
  {
    name: "a failed deletion of the agent's own canary stack goes to canaryStack",
    event: stackEvent('canary-agent-dev-canary-orders-api-r1', 'DELETE_FAILED'),
    to: ['canaryStack'],
  },
  {
    name: 'a canary stack still at work goes nowhere (only settled statuses are billed to a Lambda)',
    event: stackEvent('canary-agent-dev-canary-orders-api-r1', 'CREATE_IN_PROGRESS'),
    to: [],
  },
  {
    name: "another stage's canary stack goes nowhere",
    event: stackEvent('canary-agent-prod-canary-orders-api-r1', 'CREATE_COMPLETE'),
    to: [],
  },
  {
    name: 'a stack of anyone else goes nowhere',
    event: stackEvent('orders-api-network', 'CREATE_COMPLETE'),
    to: [],
  },
  {
    name: 'release requested goes to pipeline',
    event: getTestEvent('canary-agent/release-requested'),
    to: ['pipeline'],
  },
  {
    name: 'canary stack ready goes to pipeline',
    event: getTestEvent('canary-agent/canary-stack-ready'),
    to: ['pipeline'],
  },
  {
    name: 'canary stack failed goes to pipeline',
    event: getTestEvent('canary-agent/canary-stack-failed'),
    to: ['pipeline'],
  },
  {
    name: 'a pipeline event with an unknown detail-type goes nowhere',
    event: getTestEvent('canary-agent/release-requested', { 'detail-type': 'Release Approved' }),
    to: [],
  },
  {
    name: 'a pipeline detail-type from a foreign source goes nowhere',
    event: getTestEvent('canary-agent/release-requested', { source: 'com.example.deployer' }),
    to: [],
  },
  // The agent's own events never travel on a bus (docs/security.md, "Who may cause what"): one put there, by a pipeline or
  // anyone else, reaches no function.
  ...[
    ['timer', 'Release Timer Elapsed', 'canary-agent.timers'],
    ['effects hand-off', 'Release Effects Pending', 'canary-agent.effects'],
    ['timer claimed by a pipeline source', 'Release Timer Elapsed', 'canary-agent.pipeline.ci'],
  ].map(([what, detailType, source]) => ({
    name: `a ${what} put on a bus goes nowhere`,
    event: getTestEvent('canary-agent/release-requested', {
      'detail-type': detailType,
      source,
      detail: { releaseId: 'orders-api-r1', timerId: 'orders-api-r1.3.window' },
    }),
    to: [] as string[],
  })),
];

describe('the EventBridge rules in serverless.yml', () => {
  it.each(cases)('$name', ({ event, to }) => {
    expect(routed(event)).toEqual(to);
  });

  it('puts AWS events on the default bus and our own events on the agent bus', () => {
    expect(ruleOf('alarm').bus).toBe('default');
    expect(ruleOf('ssmCommand').bus).toBe('default');
    expect(ruleOf('canaryStack').bus).toBe('default');
    expect(ruleOf('pipeline').bus).toBe('agent');
    expect(rules.map((r) => r.functionName).sort()).toEqual([
      'alarm',
      'canaryStack',
      'pipeline',
      'ssmCommand',
    ]);
  });

  it('follows the stage into the document names', () => {
    const prod = eventRules('prod').find((r) => r.functionName === 'ssmCommand');
    const event = getTestEvent('aws.ssm/command-status-change', {
      detail: { 'document-name': 'canary-agent-prod-start-mirror' },
    });
    expect(prod && matchesPattern(prod.pattern, event)).toBe(true);
  });
});
