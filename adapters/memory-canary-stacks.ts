import { CanaryStackRefusedError } from '../domain/errors';
import type { CanaryStackReport, CanaryStacks } from '../domain/ports';

type CreateRequest = Parameters<CanaryStacks['create']>[0];

/**
 * Canary stacks held in memory, with CloudFormation's rules as the CloudFormation adapter meets them: a create with
 * a token already used changes nothing, a delete of a stack that is not there says `gone`. Nothing settles by
 * itself: the tests (and the sandbox) play CloudFormation's side with `settle`.
 */
export function memoryCanaryStacks(
  options: { refuse?: (request: CreateRequest) => string | undefined } = {},
) {
  const stacks = new Map<string, { request: CreateRequest; report: CanaryStackReport }>();
  const requests: (
    | ({ action: 'create' } & CreateRequest)
    | { action: 'delete'; stackName: string; token: string }
  )[] = [];
  const port: CanaryStacks = {
    async create(request) {
      requests.push({ action: 'create', ...request });
      const refusal = options.refuse?.(request);
      if (refusal !== undefined) throw new CanaryStackRefusedError(refusal);
      const known = stacks.get(request.stackName);
      if (known === undefined || known.report.status === 'deleted') {
        stacks.set(request.stackName, { request, report: { status: 'inProgress' } });
      }
    },
    async delete(stackName, token) {
      requests.push({ action: 'delete', stackName, token });
      const known = stacks.get(stackName);
      if (known === undefined || known.report.status === 'deleted') return 'gone';
      known.report = { status: 'inProgress' };
      return 'deleting';
    },
    async describe(stackName, _stackId) {
      return stacks.get(stackName)?.report ?? null;
    },
  };
  return {
    ...port,
    requests,
    /** What the stack was created with, if it was. */
    requestOf: (stackName: string) => stacks.get(stackName)?.request,
    /** CloudFormation finished with the stack: it is created, failed, or deleted. */
    settle(stackName: string, report: CanaryStackReport) {
      const known = stacks.get(stackName);
      if (known === undefined) throw new Error(`no stack ${stackName}`);
      known.report = report;
    },
  };
}
