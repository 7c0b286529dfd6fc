import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * CloudFormation's Query API on loopback, for the real SDK client (`endpoint`): the form-encoded requests the SDK
 * sends, and answers in the XML of the CloudFormation API Reference's examples (DescribeStacks, DescribeStackEvents,
 * CreateStack, DeleteStack, and the ErrorResponse of a ValidationError or AlreadyExistsException). No model of
 * CloudFormation is in ../shared/aws-models, so the SDK's own serialiser and parser are the contract here.
 */

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const ACCOUNT = '123456789012';

export interface StandinEvent {
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
}

interface Stack {
  readonly name: string;
  readonly id: string;
  readonly token: string;
  readonly parameters: Record<string, string>;
  readonly request: Record<string, string>;
  status: string;
  reason?: string;
  outputs: Record<string, string>;
  /** Newest first, as DescribeStackEvents answers. */
  events: StandinEvent[];
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const tag = (name: string, value: string | undefined) =>
  value === undefined ? '' : `<${name}>${xml(value)}</${name}>`;

/** `Parameters.member.1.ParameterKey=…` and its value, back to a map. */
function members(form: URLSearchParams, list: string, key: string, value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; form.has(`${list}.member.${i}.${key}`); i++) {
    out[form.get(`${list}.member.${i}.${key}`) ?? ''] = form.get(`${list}.member.${i}.${value}`) ?? '';
  }
  return out;
}

export async function cloudFormationStandin(
  options: { refuse?: (stackName: string) => string | undefined } = {},
) {
  const stacks = new Map<string, Stack>();
  const requests: { action: string; form: Record<string, string> }[] = [];
  const live = (name: string) =>
    [...stacks.values()].find((s) => s.name === name && s.status !== 'DELETE_COMPLETE');
  const find = (nameOrId: string) => [...stacks.values()].find((s) => s.id === nameOrId) ?? live(nameOrId);

  function answer(action: string, form: URLSearchParams): { status: number; body: string } {
    const fail = (code: string, message: string) => ({
      status: 400,
      body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    });
    const ok = (result: string) => ({
      status: 200,
      body: `<${action}Response xmlns="${NS}">${result}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    });
    const name = form.get('StackName') ?? '';
    switch (action) {
      case 'CreateStack': {
        const refusal = options.refuse?.(name);
        if (refusal) return fail('ValidationError', refusal);
        const existing = live(name);
        if (existing) {
          return existing.token === form.get('ClientRequestToken')
            ? ok(`<CreateStackResult>${tag('StackId', existing.id)}</CreateStackResult>`)
            : fail('AlreadyExistsException', `Stack [${name}] already exists`);
        }
        const id = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${name}/${randomUUID()}`;
        stacks.set(id, {
          name,
          id,
          token: form.get('ClientRequestToken') ?? '',
          parameters: members(form, 'Parameters', 'ParameterKey', 'ParameterValue'),
          request: Object.fromEntries(form),
          status: 'CREATE_IN_PROGRESS',
          outputs: {},
          events: [
            {
              logicalId: name,
              type: 'AWS::CloudFormation::Stack',
              status: 'CREATE_IN_PROGRESS',
              reason: 'User Initiated',
            },
          ],
        });
        return ok(`<CreateStackResult>${tag('StackId', id)}</CreateStackResult>`);
      }
      case 'DeleteStack': {
        const stack = live(name);
        if (stack) stack.status = 'DELETE_IN_PROGRESS';
        return ok('');
      }
      case 'DescribeStacks': {
        const stack = find(name);
        if (!stack) return fail('ValidationError', `Stack with id ${name} does not exist`);
        const outputs = Object.entries(stack.outputs)
          .map(([k, v]) => `<member>${tag('OutputKey', k)}${tag('OutputValue', v)}</member>`)
          .join('');
        return ok(
          `<DescribeStacksResult><Stacks><member>${tag('StackName', stack.name)}${tag('StackId', stack.id)}<CreationTime>2026-11-22T14:00:05.000Z</CreationTime>${tag('StackStatus', stack.status)}${tag('StackStatusReason', stack.reason)}<Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult>`,
        );
      }
      case 'DescribeStackEvents': {
        const stack = find(name);
        if (!stack) return fail('ValidationError', `Stack [${name}] does not exist`);
        const events = stack.events
          .map(
            (e, i) =>
              `<member>${tag('EventId', `${i}`)}${tag('StackId', stack.id)}${tag('StackName', stack.name)}${tag('LogicalResourceId', e.logicalId)}${tag('ResourceType', e.type)}<Timestamp>2026-11-22T14:0${Math.min(9, stack.events.length - i)}:00.000Z</Timestamp>${tag('ResourceStatus', e.status)}${tag('ResourceStatusReason', e.reason)}</member>`,
          )
          .join('');
        return ok(
          `<DescribeStackEventsResult><StackEvents>${events}</StackEvents></DescribeStackEventsResult>`,
        );
      }
      default:
        return fail('InvalidAction', `${action} is not served here`);
    }
  }

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      requests.push({ action, form: Object.fromEntries(form) });
      const { status, body: out } = answer(action, form);
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stackNamed: (name: string) => live(name) ?? [...stacks.values()].reverse().find((s) => s.name === name),
    /** CloudFormation moves the stack on: its status, and what it outputs or the events that say why it failed. */
    settle(
      name: string,
      status: string,
      more: { outputs?: Record<string, string>; events?: StandinEvent[]; reason?: string } = {},
    ) {
      const stack = live(name);
      if (!stack) throw new Error(`no stack ${name}`);
      stack.status = status;
      stack.outputs = more.outputs ?? stack.outputs;
      stack.reason = more.reason;
      stack.events = [...(more.events ?? []), ...stack.events];
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
