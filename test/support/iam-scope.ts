/** A policy statement as CloudFormation holds it. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T];

/** A resource as text: `Fn::Sub` strings as written, `Fn::GetAtt`/`Ref` as `<Logical.Attr>`, joins joined. */
export function resourceText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const node = resource as Record<string, unknown>;
  if (typeof node['Fn::Sub'] === 'string') return node['Fn::Sub'];
  if (Array.isArray(node['Fn::GetAtt'])) return `<${node['Fn::GetAtt'].join('.')}>`;
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(resourceText).join(separator);
  }
  throw new Error(`unreadable resource ${JSON.stringify(resource)}`);
}

/** Actions that AWS's Service Authorization Reference lists with no resource type: `*` is their only resource. */
export const ACTIONS_WITHOUT_RESOURCE_SCOPE = new Set([
  'ssm:CancelCommand',
  'ssm:ListCommands',
  'ssm:GetCommandInvocation',
  'ssm:DescribeInstanceInformation',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'cloudwatch:GetMetricData',
  'cloudwatch:GetMetricWidgetImage',
]);

const conditionKeys = (s: Statement) => Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));

/** The wildcards we accept, each narrowed by a path, a prefix or a condition. */
const scopedWildcards: { readonly why: string; readonly ok: (resource: string, s: Statement) => boolean }[] =
  [
    {
      why: "one function's own log group (its streams)",
      ok: (r) => /:log-group:\/aws\/lambda\/canary-agent-[a-z0-9-]+-[A-Za-z]+:\*$/.test(r),
    },
    {
      why: 'instances carrying the management tag',
      ok: (r, s) =>
        r.endsWith(':instance/*') && conditionKeys(s).some((k) => k.startsWith('ssm:resourceTag/')),
    },
    {
      why: 'load balancer listeners and their rules carrying the management tag',
      ok: (r, s) =>
        (r.endsWith(':listener/*') || r.endsWith(':listener-rule/*')) &&
        conditionKeys(s).some((k) => k.startsWith('aws:ResourceTag/')),
    },
    {
      why: 'target groups carrying the management tag',
      ok: (r, s) =>
        r.endsWith(':targetgroup/*') && conditionKeys(s).some((k) => k.startsWith('aws:ResourceTag/')),
    },
    {
      why: "parameters under the agent's path",
      ok: (r) => /:parameter\/canary-agent\/[a-z0-9-]+\/([a-z]+\/)?\*$/.test(r),
    },
    {
      why: "KMS keys, only through SSM and only for the agent's parameters",
      ok: (r, s) =>
        r.endsWith(':key/*') &&
        conditionKeys(s).includes('kms:ViaService') &&
        conditionKeys(s).includes('kms:EncryptionContext:PARAMETER_ARN'),
    },
    { why: 'alarms with the watched prefix', ok: (r) => /:alarm:[A-Za-z0-9._-]+\*$/.test(r) },
    {
      why: "the teams' own deploy documents, under the agent's prefix",
      ok: (r) => /:document\/canary-agent-[a-z0-9-]+-custom-\*$/.test(r),
    },
    { why: "schedules in the agent's group", ok: (r) => /:schedule\/canary-agent-[a-z0-9-]+\/\*$/.test(r) },
    {
      why: "the teams' hook functions, under the agent's prefix",
      ok: (r) => /:function:canary-agent-[a-z0-9-]+-hook-\*$/.test(r),
    },
    {
      why: "the agent's own temporary canary stacks (named with its prefix)",
      ok: (r) => /:stack\/canary-agent-[a-z0-9-]+-canary-\*\/\*$/.test(r),
    },
    {
      why: 'templates in the canary template bucket',
      ok: (r) => /^arn:\$\{AWS::Partition\}:s3:::canary-agent-[a-z0-9-]+-canary-templates\/\*$/.test(r),
    },
  ];

/** Every way `statement` is wider than least privilege; empty when it is scoped. */
export function wildcardProblems(statement: Statement): string[] {
  const problems: string[] = [];
  const actions = list(statement.Action);
  for (const action of actions) if (action.includes('*')) problems.push(`wildcard action ${action}`);
  for (const resource of list(statement.Resource).map(resourceText)) {
    if (resource === '*') {
      const unscoped = actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_SCOPE.has(a));
      if (unscoped.length > 0)
        problems.push(`resource * for ${unscoped.join(', ')}, which AWS lets us scope`);
    } else if (resource.includes('*') && !scopedWildcards.some((w) => w.ok(resource, statement))) {
      problems.push(`unscoped wildcard resource ${resource}`);
    }
  }
  return problems;
}
