import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { CanaryStackRefusedError } from '../domain/errors';
import type { CanaryStackReport, CanaryStacks } from '../domain/ports';

/** CreateStack errors no retry fixes: the template, its parameters, a limit, or the agent's rights. */
const REFUSED = new Set([
  'ValidationError',
  'InsufficientCapabilitiesException',
  'LimitExceededException',
  'AccessDenied',
  'AccessDeniedException',
]);
/** A retried create that CloudFormation already took (the same name, or the same token). */
const ALREADY_TAKEN = new Set(['AlreadyExistsException', 'TokenAlreadyExistsException']);

const CREATE_FAILED = new Set(['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED']);

/** The longest reason a card shows; CloudFormation's can run to a page. */
const REASON_LIMIT = 600;

export interface CanaryStackSettings {
  /** The agent's stage prefix with its dash (`canary-agent-prod-`), so its stacks are its own. */
  readonly stackPrefix: string;
  /** The role CloudFormation creates and deletes the stacks with: the agent itself only passes it. */
  readonly roleArn: string;
}

/**
 * The releases' temporary canary stacks in CloudFormation. CreateStack and DeleteStack only start the work; the
 * stack's status events end it (handlers/canary-stack.ts), and `describe` reads where it stands. Per release: one
 * CreateStack, one DeleteStack and one DescribeStacks after it, and one DescribeStacks per settled status event
 * (with one DescribeStackEvents when it failed).
 */
export function cloudFormationCanaryStacks(
  client: CloudFormationClient,
  settings: CanaryStackSettings,
): CanaryStacks {
  const fullName = (stackName: string) => `${settings.stackPrefix}${stackName}`;

  async function stackNamed(stackName: string): Promise<Stack | undefined> {
    try {
      const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
      return Stacks[0];
    } catch (error) {
      // CloudFormation's answer for a stack that is not there (by name: deleted or never made).
      if (nameOf(error) === 'ValidationError' && /does not exist/.test(messageOf(error))) return undefined;
      throw error;
    }
  }

  /** The first resource that failed in the stack's latest operation, in CloudFormation's words. */
  async function failureReason(stack: Stack): Promise<string> {
    const { StackEvents = [] } = await client.send(
      new DescribeStackEventsCommand({ StackName: stack.StackId ?? stack.StackName }),
    );
    const reason =
      firstFailure(StackEvents) ?? stack.StackStatusReason ?? stack.StackStatus ?? 'no reason given';
    return reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT)}…` : reason;
  }

  return {
    async create({ stackName, templateUrl, parameters, timeoutMinutes, token, tags }) {
      try {
        await client.send(
          new CreateStackCommand({
            StackName: fullName(stackName),
            TemplateURL: templateUrl,
            Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
              ParameterKey,
              ParameterValue,
            })),
            TimeoutInMinutes: timeoutMinutes,
            RoleARN: settings.roleArn,
            ClientRequestToken: token,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
      } catch (error) {
        if (ALREADY_TAKEN.has(nameOf(error))) return;
        if (REFUSED.has(nameOf(error))) throw new CanaryStackRefusedError(messageOf(error));
        throw error;
      }
    },

    async delete(stackName, token) {
      const name = fullName(stackName);
      // DeleteStack of a stack that is not there succeeds and no event ever follows: ask, so the release learns it.
      await client.send(
        new DeleteStackCommand({ StackName: name, RoleARN: settings.roleArn, ClientRequestToken: token }),
      );
      const stack = await stackNamed(name);
      return stack === undefined || stack.StackStatus === 'DELETE_COMPLETE' ? 'gone' : 'deleting';
    },

    async describe(stackName, stackId): Promise<CanaryStackReport | null> {
      // By id, a deleted stack is still found (DELETE_COMPLETE); by name, it is not.
      const stack = await stackNamed(stackId ?? fullName(stackName));
      if (stack === undefined) return null;
      const status = stack.StackStatus ?? '';
      if (status === 'CREATE_COMPLETE') {
        const outputs = Object.fromEntries(
          (stack.Outputs ?? []).flatMap((o) => (o.OutputKey ? [[o.OutputKey, o.OutputValue ?? '']] : [])),
        );
        return { status: 'created', outputs };
      }
      if (CREATE_FAILED.has(status)) return { status: 'createFailed', reason: await failureReason(stack) };
      if (status === 'DELETE_COMPLETE') return { status: 'deleted' };
      if (status === 'DELETE_FAILED') return { status: 'deleteFailed', reason: await failureReason(stack) };
      return { status: 'inProgress' };
    },
  };
}

/**
 * The oldest resource failure since the stack's latest operation began (events come newest first). A failure that
 * only says it was cancelled is the consequence of another, so it is passed over when a cause is there.
 */
type EventFields = Pick<
  StackEvent,
  'LogicalResourceId' | 'ResourceType' | 'ResourceStatus' | 'ResourceStatusReason'
>;

export function firstFailure(events: readonly EventFields[]): string | undefined {
  const latest: EventFields[] = [];
  for (const event of events) {
    latest.push(event);
    const begins =
      event.ResourceType === 'AWS::CloudFormation::Stack' && /_IN_PROGRESS$/.test(event.ResourceStatus ?? '');
    if (begins && /User Initiated/i.test(event.ResourceStatusReason ?? '')) break;
  }
  const failures = latest
    .filter((e) => e.ResourceType !== 'AWS::CloudFormation::Stack' && /_FAILED$/.test(e.ResourceStatus ?? ''))
    .reverse();
  const cause = failures.find((e) => !/cancelled/i.test(e.ResourceStatusReason ?? '')) ?? failures[0];
  if (cause === undefined) return undefined;
  return `${cause.LogicalResourceId ?? 'a resource'} (${cause.ResourceType ?? 'unknown type'}): ${cause.ResourceStatusReason ?? cause.ResourceStatus}`;
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The adapter with its own client, for a composition root that loads it on first use. */
export function cloudFormationCanaryStacksWithClient(
  config: CloudFormationClientConfig,
  settings: CanaryStackSettings,
) {
  return cloudFormationCanaryStacks(new CloudFormationClient(config), settings);
}
