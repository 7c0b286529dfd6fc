import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type ScalarTag } from 'yaml';
import type { EventPattern } from '../adapters/eventbridge-pattern';

const cfnTags: ScalarTag[] = [
  'Ref',
  'Sub',
  'GetAtt',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
].map((name) => ({ tag: `!${name}`, resolve: (value: string) => value }));

export const serverlessYmlPath = join(
  import.meta.dirname ?? new URL('.', import.meta.url).pathname,
  '../serverless.yml',
);

interface ServerlessYml {
  service: string;
  resources: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  custom: Record<string, unknown>;
  params?: { default?: Record<string, string> };
  functions: Record<string, { handler: string; events?: Record<string, unknown>[] }>;
}

export interface EventRule {
  readonly functionName: string;
  readonly handler: string;
  /** `default`, or `agent` for the agent's own bus. */
  readonly bus: 'default' | 'agent';
  readonly pattern: EventPattern;
}

/** A YAML file of the deployment, with the files it includes (`${file(./…)}`) read in their place. */
function readYml(path: string): unknown {
  const included = (node: unknown): unknown => {
    const file = typeof node === 'string' ? /^\$\{file\((\.\/[^)]+)\)\}$/.exec(node)?.[1] : undefined;
    if (file !== undefined) return readYml(join(dirname(path), file));
    if (Array.isArray(node)) return node.map(included);
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, included(value)]));
    return node;
  };
  return included(parse(readFileSync(path, 'utf8'), { customTags: cfnTags, merge: true }));
}

/** `resources` as osls reads it: a list of fragments merges into one (their `Resources`, their `Outputs`). */
function mergedResources(resources: unknown): ServerlessYml['resources'] {
  const fragments = (Array.isArray(resources) ? resources : [resources]) as ServerlessYml['resources'][];
  return { Resources: Object.assign({}, ...fragments.map((fragment) => fragment.Resources)) };
}

/**
 * serverless.yml and the files it includes, its functions' variables resolved as osls would (`self:`,
 * `sls:stage`, `param:`, `opt:`).
 */
export function readServerlessYml(stage = 'dev'): ServerlessYml {
  const yml = readYml(serverlessYmlPath) as ServerlessYml;
  const raw = { ...yml, resources: mergedResources(yml.resources) };
  const lookup = (expression: string): string => {
    const [source = '', fallback] = expression.split(/,\s*/);
    if (source === 'sls:stage' || source === 'opt:stage') return stage;
    if (source.startsWith('self:')) {
      const value = source
        .slice(5)
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], raw);
      if (typeof value === 'string') return value;
    }
    if (source.startsWith('param:')) {
      const value = raw.params?.default?.[source.slice(6)];
      if (value !== undefined) return value;
    }
    if (fallback !== undefined) return fallback.replace(/^'|'$/g, '');
    throw new Error(`serverless.yml: cannot resolve \${${expression}}`);
  };
  const resolve = (node: unknown): unknown => {
    if (typeof node === 'string') {
      let text = node;
      for (let round = 0; round < 10 && /\$\{(?!AWS::)[^{}]+\}/.test(text); round++) {
        text = text.replace(/\$\{(?!AWS::)([^{}]+)\}/g, (_, expression: string) => lookup(expression));
      }
      return text;
    }
    if (Array.isArray(node)) return node.map(resolve);
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [resolve(key) as string, resolve(value)]),
      );
    }
    return node;
  };
  return { ...raw, functions: resolve(raw.functions) as ServerlessYml['functions'] };
}

/** Every EventBridge rule pattern in serverless.yml, with the function it invokes. */
export function eventRules(stage = 'dev'): EventRule[] {
  const yml = readServerlessYml(stage);
  return Object.entries(yml.functions).flatMap(([functionName, fn]) =>
    (fn.events ?? []).flatMap((event) => {
      const bridge = event.eventBridge as { pattern?: EventPattern; eventBus?: unknown } | undefined;
      if (!bridge?.pattern) return [];
      return [
        {
          functionName,
          handler: fn.handler,
          bus: bridge.eventBus ? 'agent' : 'default',
          pattern: bridge.pattern,
        } as const,
      ];
    }),
  );
}

/**
 * The releases table exactly as serverless.yml declares it, as a CreateTable input for DynamoDB Local:
 * the deployed table and the tested one cannot drift apart.
 */
export function releasesTableDefinition(tableName: string): CreateTableCommandInput {
  const table = readServerlessYml().resources.Resources.ReleasesTable;
  if (!table) throw new Error('serverless.yml declares no ReleasesTable');
  const props = table.Properties;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
  };
}
