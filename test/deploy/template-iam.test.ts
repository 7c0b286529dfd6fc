import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { documentSpecs } from '../../hosts/document-parameters';
import { eventRules, serverlessYmlPath } from '../../local/serverless-yml';
import { resourceText, type Statement, wildcardProblems } from '../support/iam-scope';
import { type CfnTemplate, packageTemplate } from '../support/package-template';
import { newRelease } from '../support/releases';
import { CHANGES, LAMBDA, LIST_CONFIGS, MAY_DO } from './function-rights';

let template: CfnTemplate;
beforeAll(async () => {
  ({ template } = await packageTemplate('dev'));
}, 120_000);

type Resource = CfnTemplate['Resources'][string];

function statementsOf(resource: Resource): Statement[] {
  const policies = (resource.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  const inline = resource.Type === 'AWS::IAM::Policy' ? [resource.Properties?.PolicyDocument] : [];
  return [...policies.map((p) => p.PolicyDocument), ...inline].flatMap(
    (doc) => (doc as { Statement: Statement[] }).Statement,
  );
}

const statements = (): Statement[] => Object.values(template.Resources).flatMap(statementsOf);

/** Every resource any role may call `action` on, each once. */
const grants = (action: string, among: Statement[] = statements()) => [
  ...new Set(
    among
      .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
      .flatMap((s) => [s.Resource].flat().map(resourceText)),
  ),
];

/** The statements of the role a function runs with (serverless.yml: one role per function). */
function roleOf(functionName: string): Statement[] {
  const fn = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === `canary-agent-dev-${functionName}`,
  );
  const role = fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  const roleId = role?.['Fn::GetAtt'][0] ?? '(none)';
  const found = template.Resources[roleId];
  if (!found) throw new Error(`no role ${roleId} for ${functionName}`);
  return statementsOf(found);
}
const actionsOf = (functionName: string) =>
  [...new Set(roleOf(functionName).flatMap((s) => [s.Action].flat()))].sort();

describe('the packaged CloudFormation template', () => {
  it.each(Object.entries(MAY_DO))(
    'gives %s a role of its own with exactly what its code calls',
    (fn, rights) => {
      expect(actionsOf(fn)).toEqual([...new Set(rights)].sort());
      expect(grants('logs:PutLogEvents', roleOf(fn))).toEqual([
        expect.stringMatching(new RegExp(`:log-group:/aws/lambda/canary-agent-dev-${fn}:\\*$`)),
      ]);
    },
  );

  it('gives the Slack function, the one reachable from the internet, no right to change anything but releases', () => {
    expect(actionsOf('slack').filter((action) => CHANGES.test(action))).toEqual([]);
    expect(grants('lambda:InvokeFunction', roleOf('slack'))).toEqual([
      `${LAMBDA}-effects`,
      `${LAMBDA}-preflight`,
    ]);
    // Not even reading alarms, listeners or instances: the preflight function does, and this bundle holds no
    // client for them.
    expect(actionsOf('slack').filter((action) => /^(cloudwatch|elasticloadbalancing):/.test(action))).toEqual(
      [],
    );
    expect(actionsOf('slack')).not.toContain('ssm:DescribeInstanceInformation');
    expect(grants('ssm:GetParameters', roleOf('slack'))).toEqual([
      expect.stringMatching(/:parameter\/canary-agent\/dev\/slack\/\*$/),
    ]);
    // The check itself: a right to send commands or switch listeners would fail it.
    expect(
      ['ssm:SendCommand', 'elasticloadbalancing:ModifyRule', 'scheduler:CreateSchedule'].every((a) =>
        CHANGES.test(a),
      ),
    ).toBe(true);
  });

  it('lets Scheduler invoke the timer function and nothing else, and routes no internal event through a bus', () => {
    const scheduler = statementsOf(template.Resources.SchedulerRole as Resource);
    expect(scheduler.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'lambda:InvokeFunction',
      'sqs:SendMessage',
    ]);
    expect(grants('lambda:InvokeFunction', scheduler)).toEqual([`${LAMBDA}-timer`]);
    const routed = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    const principals = routed.map(
      (r) => `${r.Properties?.Principal} -> ${resourceText(r.Properties?.FunctionName)}`,
    );
    expect(principals.filter((p) => /Timer|Effects/.test(p))).toEqual([]);
  });

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

  it("sends commands only with the agent's nine documents and its teams' custom ones, only to managed instances", () => {
    const documents = grants('ssm:SendCommand').filter((r) => r.includes(':document/'));
    // Each host document, and the teams' own deploy documents (a service's deploy.document) under the prefix.
    const names = [...documentSpecs.map((d) => d.file.replace(/\.yml$/, '')), 'custom-*'];
    expect(documents.map((r) => r.split(':document/')[1]).sort()).toEqual(
      names.map((d) => `canary-agent-dev-${d}`).sort(),
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

  it('drains only target groups with the management tag, and reads them without the scope AWS does not offer', () => {
    for (const action of ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets']) {
      expect(grants(action)).toEqual([
        expect.stringMatching(
          /:elasticloadbalancing:\$\{AWS::Region\}:\$\{AWS::AccountId\}:targetgroup\/\*$/,
        ),
      ]);
    }
    const draining = statements().find((s) =>
      [s.Action].flat().includes('elasticloadbalancing:DeregisterTargets'),
    );
    expect(draining?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/canary-agent:managed': 'true' },
    });
    for (const read of ['DescribeTargetHealth', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes']) {
      expect(grants(`elasticloadbalancing:${read}`)).toEqual(['*']);
    }
  });

  it('reads configurations, versions, routing lists and Slack secrets under /canary-agent/<stage>/ and writes only versions and routing lists', () => {
    expect(grants('ssm:GetParameter').sort()).toEqual(
      ['hooks', 'routing', 'services', 'versions'].map((path) =>
        expect.stringMatching(new RegExp(`:parameter/canary-agent/dev/${path}/\\*$`)),
      ),
    );
    expect(grants('lambda:InvokeFunction').filter((f) => !/-(effects|preflight|timer)$/.test(f))).toEqual([
      expect.stringMatching(/:function:canary-agent-dev-hook-\*$/),
    ]);
    expect(grants('ssm:GetParameters')).toEqual([
      expect.stringMatching(/:parameter\/canary-agent\/dev\/slack\/\*$/),
    ]);
    expect(grants(LIST_CONFIGS)).toEqual([expect.stringMatching(/:parameter\/canary-agent\/dev\/services$/)]);
    expect(grants('ssm:PutParameter').sort()).toEqual([
      expect.stringMatching(/:parameter\/canary-agent\/dev\/routing\/\*$/),
      expect.stringMatching(/:parameter\/canary-agent\/dev\/versions\/\*$/),
    ]);
  });

  it('lets the effects function alone write the live routing lists, and the Slack function only read them', () => {
    const routing = /:parameter\/canary-agent\/dev\/routing\/\*$/;
    for (const fn of Object.keys(MAY_DO)) {
      const writes = grants('ssm:PutParameter', roleOf(fn)).filter((r) => routing.test(r));
      expect(writes, fn).toEqual(fn === 'effects' ? [expect.stringMatching(routing)] : []);
    }
    // Every function that sends a shift of traffic reads the lists it carries; the Slack function shows them.
    for (const fn of [
      'slack',
      'alarm',
      'ssmCommand',
      'pipeline',
      'timer',
      'effects',
      'sweeper',
      'canaryStack',
    ])
      expect(grants('ssm:GetParameter', roleOf(fn)), fn).toContainEqual(expect.stringMatching(routing));
    expect(grants('ssm:PutParameter', roleOf('slack'))).toEqual([]);
  });

  it('touches only its own table, bus, schedule group and alarms', () => {
    expect(new Set(grants('dynamodb:TransactWriteItems').concat(grants('dynamodb:PutItem')))).toEqual(
      new Set(['<ReleasesTable.Arn>', '<ReleasesTable.Arn>/index/gsi1', '<ReleasesTable.Arn>/index/gsi2']),
    );
    expect(grants('events:PutEvents')).toEqual(['<AgentBus.Arn>']);
    expect(grants('scheduler:CreateSchedule')).toEqual([
      expect.stringMatching(/:schedule\/canary-agent-dev\/\*$/),
    ]);
    expect(grants('iam:PassRole')).toEqual([
      '<SchedulerRole.Arn>',
      expect.stringMatching(/:role\/canary-agent-dev-canary-stacks$/),
    ]);
    for (const action of ['CreateStack', 'DeleteStack', 'DescribeStacks', 'DescribeStackEvents']) {
      expect(grants(`cloudformation:${action}`)).toEqual([
        expect.stringMatching(/:stack\/canary-agent-dev-canary-\*\/\*$/),
      ]);
    }
    const passStackRole = statements().find((s) => s.Sid === 'PassCanaryStackRole');
    expect(passStackRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
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
    expect(invokeConfigs).toHaveLength(7);
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
