import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventRules, serverlessYmlPath } from '../../local/serverless-yml';
import { resourceText, type Statement, wildcardProblems } from '../support/iam-scope';
import { type CfnTemplate, packageTemplate } from '../support/package-template';
import { newRelease } from '../support/releases';

let template: CfnTemplate;
beforeAll(async () => {
  ({ template } = await packageTemplate('dev'));
}, 120_000);

function statements(): Statement[] {
  return Object.values(template.Resources).flatMap((resource) => {
    const policies = (resource.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    const inline = resource.Type === 'AWS::IAM::Policy' ? [resource.Properties?.PolicyDocument] : [];
    return [...policies.map((p) => p.PolicyDocument), ...inline].flatMap(
      (doc) => (doc as { Statement: Statement[] }).Statement,
    );
  });
}

const grants = (action: string) =>
  statements()
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(resourceText));

describe('the packaged CloudFormation template', () => {
  it('grants no wildcard action and no wildcard resource that AWS lets us scope', () => {
    const problems = statements().flatMap((s) =>
      wildcardProblems(s).map((p) => `${s.Sid ?? '(no sid)'}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('the scope check itself fails on a wildcard someone might add', () => {
    expect(
      wildcardProblems({ Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ssm:eu-west-1:1:document/x' }),
    ).toHaveLength(1);
    expect(wildcardProblems({ Effect: 'Allow', Action: 'ssm:SendCommand', Resource: '*' })).toHaveLength(1);
    expect(
      wildcardProblems({
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: 'arn:aws:ec2:r:1:instance/*',
      }),
    ).toHaveLength(1);
    expect(
      wildcardProblems({
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Sub': 'arn:aws:dynamodb:r:1:table/*' },
      }),
    ).toHaveLength(1);
  });

  it("sends commands only with the agent's eight documents, and only to instances with the management tag", () => {
    const documents = grants('ssm:SendCommand').filter((r) => r.includes(':document/'));
    expect(documents.map((r) => r.split(':document/')[1]).sort()).toEqual(
      [
        'deploy-canary',
        'deploy-idle',
        'promote',
        'remove-canary',
        'restore-stable',
        'shift-traffic',
        'start-mirror',
        'stop-mirror',
      ].map((d) => `canary-agent-dev-${d}`),
    );
    const instances = statements().find((s) =>
      [s.Resource]
        .flat()
        .map(resourceText)
        .some((r) => r.endsWith(':instance/*')),
    );
    expect(instances?.Condition).toEqual({
      StringEquals: { 'ssm:resourceTag/canary-agent:managed': 'true' },
    });
  });

  it('switches only listeners and rules with the management tag, and reads them without the scope AWS does not offer', () => {
    for (const action of ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule']) {
      const [listeners, rules, ...more] = grants(action);
      expect(more).toEqual([]);
      expect(listeners).toMatch(/:elasticloadbalancing:\$\{AWS::Region\}:\$\{AWS::AccountId\}:listener\/\*$/);
      expect(rules).toMatch(
        /:elasticloadbalancing:\$\{AWS::Region\}:\$\{AWS::AccountId\}:listener-rule\/\*$/,
      );
    }
    const switching = statements().find((s) =>
      [s.Action].flat().includes('elasticloadbalancing:ModifyListener'),
    );
    expect(switching?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/canary-agent:managed': 'true' },
    });
    expect(grants('elasticloadbalancing:DescribeRules')).toEqual(['*']);
    expect(grants('elasticloadbalancing:DescribeListeners')).toEqual(['*']);
  });

  it('reads parameters only under /canary-agent/<stage>/ and writes only current versions', () => {
    for (const action of ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath']) {
      expect(grants(action)).toEqual([expect.stringMatching(/:parameter\/canary-agent\/dev\/\*$/)]);
    }
    expect(grants('ssm:PutParameter')).toEqual([
      expect.stringMatching(/:parameter\/canary-agent\/dev\/versions\/\*$/),
    ]);
  });

  it('touches only its own table, bus, schedule group and alarms', () => {
    expect(new Set(grants('dynamodb:TransactWriteItems').concat(grants('dynamodb:PutItem')))).toEqual(
      new Set(['<ReleasesTable.Arn>', '<ReleasesTable.Arn>/index/gsi1', '<ReleasesTable.Arn>/index/gsi2']),
    );
    expect(grants('events:PutEvents')).toEqual(['<AgentBus.Arn>', '<AgentBus.Arn>']);
    expect(grants('scheduler:CreateSchedule')).toEqual([
      expect.stringMatching(/:schedule\/canary-agent-dev\/\*$/),
    ]);
    expect(grants('iam:PassRole')).toEqual(['<SchedulerRole.Arn>']);
    expect(grants('cloudwatch:DescribeAlarms')).toEqual([expect.stringMatching(/:alarm:canary-\*$/)]);
  });

  it('deploys exactly the rule patterns the tests and the sandbox read from serverless.yml', () => {
    const deployed = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern)
      .map((r) => r.Properties?.EventPattern);
    expect(deployed).toEqual(eventRules('dev').map((r) => r.pattern));
  });

  it('keeps point-in-time recovery on the table and sends failed async invocations to the dead-letter queue', () => {
    expect(template.Resources.ReleasesTable?.Properties?.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    const invokeConfigs = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig',
    );
    expect(invokeConfigs).toHaveLength(6);
    for (const config of invokeConfigs) {
      expect(config.Properties?.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
      });
    }
  });

  it('carries each host document untouched, and each declares every parameter the engine sends it', () => {
    const mirror = newRelease().release;
    const steps = newRelease({ strategy: { kind: 'steps', steps: [10, 100] } }).release;
    const sent = new Map<string, Set<string>>();
    for (const step of [...mirror.plan, ...mirror.undo, ...steps.plan]) {
      if (step.kind === 'hostOperation') sent.set(step.operation, new Set(Object.keys(step.parameters)));
    }
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    expect(sent.size).toBe(7);
    for (const [operation, parameters] of sent) {
      const file = join(serverlessYmlPath, '..', 'hosts', 'documents', `${kebab(operation)}.yml`);
      const document = Object.values(template.Resources).find(
        (r) =>
          r.Type === 'AWS::SSM::Document' && r.Properties?.Name === `canary-agent-dev-${kebab(operation)}`,
      );
      const content = document?.Properties?.Content as {
        schemaVersion: string;
        parameters: Record<string, unknown>;
      };
      expect(content).toEqual(parse(readFileSync(file, 'utf8')));
      expect(content.schemaVersion).toBe('2.2');
      expect(Object.keys(content.parameters)).toEqual(expect.arrayContaining([...parameters]));
    }
  });
});
