import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { OUTPUT_KEYS } from '../../domain/canary-stack';
import { patterns } from '../../domain/patterns';
import { parseJsonc } from '../../hosts/jsonc';
import { readServerlessYml } from '../../local/serverless-yml';

/*
 * examples/canary-stack.yml, the temporary canary stack's template, and examples/canary-stack-role.yml, what it is
 * made with, held to what the agent sends and reads (domain/canary-stack.ts) and to the deployment's names
 * (serverless.yml). Both also pass cfn-lint 1.51 with no finding (not installed in CI: no Debian package).
 */

type Node = Record<string, unknown>;
// CloudFormation's short forms, kept as their long forms.
const cfnTags: Tags = ['Ref', 'Sub', 'GetAtt', 'Base64', 'Join', 'Select', 'Split', 'If', 'Equals'].map(
  (name) => ({
    tag: `!${name}`,
    resolve: (value: unknown) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value }),
    identify: () => false,
  }),
);
for (const name of ['Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals']) {
  cfnTags.push({
    tag: `!${name}`,
    collection: 'seq',
    resolve: (value: { toJSON(): unknown }) => ({ [`Fn::${name}`]: value.toJSON() }),
    identify: () => false,
  } as Tags[number]);
}
const readTemplate = (file: string) =>
  parse(readFileSync(join('examples', file), 'utf8'), { customTags: cfnTags }) as {
    Parameters: Record<string, { Default?: string | number; AllowedPattern?: string }>;
    Resources: Record<string, { Type: string; Properties?: Node }>;
    Outputs: Record<string, { Value: unknown }>;
  };

/** Every name a template refers to: `Ref`s, `GetAtt`s' resources, and `${…}` in `Sub` strings. */
function referencedNames(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) referencedNames(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') found.add(value);
      else if (key === 'Fn::GetAtt')
        found.add(String(typeof value === 'string' ? value.split('.')[0] : (value as string[])[0]));
      else if (key === 'Fn::Sub' && typeof value === 'string') {
        for (const [, name] of value.matchAll(/\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z]+)?\}/g))
          found.add(name ?? '');
      }
      referencedNames(value, found);
    }
  }
  return found;
}

function jsonc(file: string): unknown {
  const parsed = parseJsonc(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error}`);
  return parsed.value;
}
const params = (readServerlessYml().params?.default ?? {}) as Record<string, string>;

const stack = readTemplate('canary-stack.yml');
const role = readTemplate('canary-stack-role.yml');
const withStack = readdirSync('examples')
  .filter((file) => file.endsWith('.jsonc'))
  .map(
    (file) =>
      jsonc(join('examples', file)) as {
        canaryStack?: { provisionedBy?: string; template?: { parameters?: Record<string, string> } };
      },
  )
  .filter((config) => config.canaryStack?.provisionedBy === 'cloudformation');

describe('examples/canary-stack.yml', () => {
  it('takes what the agent sends, in the patterns it sends it, and every parameter the examples set', () => {
    const accepts = (name: string, value: string) =>
      new RegExp(stack.Parameters[name]?.AllowedPattern ?? '').test(value);
    expect(accepts('Service', 'catalog-api')).toBe(true);
    expect(accepts('Version', 'v2026.11.3-rc1')).toBe(true);
    expect(accepts('Image', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/catalog-api:1.4.2')).toBe(true);
    expect(accepts('Image', 'catalog-api:1.4.2; reboot')).toBe(false);
    expect(withStack.length).toBeGreaterThan(0);
    for (const config of withStack) {
      const given = Object.keys(config.canaryStack?.template?.parameters ?? {});
      expect(given.filter((name) => !(name in stack.Parameters))).toEqual([]);
      // What the template cannot default, the configuration gives.
      const needed = Object.entries(stack.Parameters)
        .filter(([, p]) => p.Default === undefined)
        .map(([name]) => name);
      expect(needed.filter((name) => !['Service', 'Version', 'Image', ...given].includes(name))).toEqual([]);
    }
  });

  it('outputs the load balancer, target group and alarm names the agent reads', () => {
    expect(Object.keys(stack.Outputs).sort()).toEqual(Object.values(OUTPUT_KEYS).sort());
    expect(stack.Outputs[OUTPUT_KEYS.host]?.Value).toEqual({ 'Fn::GetAtt': 'CanaryLoadBalancer.DNSName' });
    expect(stack.Outputs[OUTPUT_KEYS.alarms]?.Value).toEqual({ Ref: 'Canary5xxAlarm' });
  });

  it('refers only to its parameters, its resources and pseudo parameters', () => {
    const known = new Set([...Object.keys(stack.Parameters), ...Object.keys(stack.Resources)]);
    const unknown = [...referencedNames(stack)].filter(
      (name) => !known.has(name) && !name.startsWith('AWS::'),
    );
    expect(unknown).toEqual([]);
  });

  it('names its alarm with the prefix of the alarms the agent watches', () => {
    const alarm = stack.Resources.Canary5xxAlarm?.Properties?.AlarmName as { 'Fn::Sub': string };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, as the template holds it.
    expect(alarm['Fn::Sub'].startsWith('${AlarmNamePrefix}')).toBe(true);
    expect(stack.Parameters.AlarmNamePrefix?.Default).toBe(params.watchedAlarmPrefix);
    expect(patterns.alarmName.test('canary-canary-agent-prod-canary-catalog-api-20261206-ab12cd34-5xx')).toBe(
      true,
    );
  });
});

describe('examples/canary-stack-role.yml', () => {
  const policies = (role.Resources.CanaryStacksRole?.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: Node[] };
  }[];
  const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
  const actions = statements.flatMap((s) => [s.Action].flat() as string[]);

  it('is the role and bucket the deployment passes and reads, by name', () => {
    // The deployment's default names, as the template writes them for its Stage parameter.
    const forStage = (name: string) =>
      // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless.yml's and CloudFormation's variables.
      name.replace('${self:service}', 'canary-agent').replace('${sls:stage}', '${Stage}');
    expect(role.Resources.CanaryStacksRole?.Properties?.RoleName).toEqual({
      'Fn::Sub': forStage(params.canaryStackRole ?? ''),
    });
    expect(role.Resources.CanaryTemplates?.Properties?.BucketName).toEqual({
      'Fn::Sub': forStage(params.canaryTemplateBucket ?? ''),
    });
  });

  it("may create and delete every kind of resource in the canary stack's template", () => {
    const needs: Record<string, string[]> = {
      'AWS::EC2::LaunchTemplate': [
        'ec2:CreateLaunchTemplate',
        'ec2:DeleteLaunchTemplate',
        'ec2:RunInstances',
      ],
      'AWS::ElasticLoadBalancingV2::TargetGroup': [
        'elasticloadbalancing:CreateTargetGroup',
        'elasticloadbalancing:DeleteTargetGroup',
      ],
      'AWS::ElasticLoadBalancingV2::LoadBalancer': [
        'elasticloadbalancing:CreateLoadBalancer',
        'elasticloadbalancing:DeleteLoadBalancer',
      ],
      'AWS::ElasticLoadBalancingV2::Listener': [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
      ],
      'AWS::AutoScaling::AutoScalingGroup': [
        'autoscaling:CreateAutoScalingGroup',
        'autoscaling:DeleteAutoScalingGroup',
      ],
      'AWS::CloudWatch::Alarm': ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
    };
    const types = new Set(Object.values(stack.Resources).map((r) => r.Type));
    expect([...types].filter((type) => !(type in needs))).toEqual([]);
    expect([...types].flatMap((type) => needs[type] ?? []).filter((a) => !actions.includes(a))).toEqual([]);
  });

  it('grants no wildcard action, and passes only the hosts’ role, only to EC2', () => {
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    const pass = statements.find((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(pass?.Resource).toEqual({ Ref: 'InstanceRoleArn' });
    expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });
});
