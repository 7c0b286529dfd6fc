import { randomUUID } from 'node:crypto';
import { hostOutputTail } from '../adapters/host-output';
import type { FleetOperator } from '../domain/ports';
import type { HostDirectory } from './sandbox-chain';
import type { SandboxHost } from './sandbox-fleet';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type HostOperation = Parameters<FleetOperator['run']>[1];

interface LocalFleetOperatorOptions {
  /** Every host Run Command could select: one service's fleet, or the chain's services together. */
  readonly fleet: Pick<HostDirectory, 'hostsMatching' | 'run'>;
  readonly documentPrefix: string;
  readonly publish: (event: unknown) => void;
  readonly onHostResult?: (result: {
    hostId: string;
    operation: string;
    ok: boolean;
    summary: unknown;
  }) => void;
}

/** One Run Command invocation: which document runs, with what, on which hosts. */
interface Command {
  readonly commandId: string;
  readonly documentName: string;
  readonly operation: HostOperation;
  readonly hosts: readonly SandboxHost[];
  readonly isCancelled: () => boolean;
  /** Keeps what a host printed, as SSM keeps an invocation's output for GetCommandInvocation. */
  readonly keepOutput: (hostId: string, output: string | undefined) => void;
}

/**
 * The sandbox's Run Command: runs an operation's SSM document on every host the tags select, one host after
 * another with MaxErrors 0 (stop at the first failure), and reports each host and then the whole command as
 * the documented "EC2 Command Invocation Status-change Notification" / "EC2 Command Status-change Notification"
 * events on the default bus, so results reach the engine the way they do on AWS: through the ssmCommand handler.
 */
export function localFleetOperator(
  options: LocalFleetOperatorOptions,
): FleetOperator & { close(): void; settled(): Promise<void> } {
  const cancelled = new Set<string>();
  const running = new Set<Promise<void>>();
  const outputs = new Map<string, string | undefined>();
  let closed = false;
  return {
    async run(_releaseId, operation) {
      // Once the sandbox stops, nothing new may start on its hosts: a late event would leave a proxy running.
      if (closed) throw new Error('the sandbox is stopping: no new host operations');
      const commandId = randomUUID();
      const work = runCommand(options, {
        commandId,
        documentName: `${options.documentPrefix}-${operation.document ? `custom-${operation.document}` : kebab(operation.operation)}`,
        operation,
        hosts: options.fleet
          .hostsMatching(operation.targets)
          .filter((host) => operation.instanceIds?.includes(host.id) ?? true),
        isCancelled: () => cancelled.has(commandId),
        keepOutput: (hostId, output) => outputs.set(`${commandId} ${hostId}`, output),
      });
      const tracked = work.finally(() => running.delete(tracked));
      running.add(tracked);
      return { commandId };
    },
    async cancel(commandId) {
      cancelled.add(commandId);
    },
    async output(commandId, hostId) {
      return outputs.get(`${commandId} ${hostId}`);
    },
    /** Refuses new operations from now on; `settled()` then waits for the ones already running. */
    close(): void {
      closed = true;
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/** Host after host until one fails or the command is cancelled; a command that selects no host fails. */
async function runCommand(options: LocalFleetOperatorOptions, command: Command): Promise<void> {
  let status = 'Success';
  for (const host of command.hosts) {
    if (command.isCancelled()) {
      status = 'Cancelled';
      break;
    }
    if (!(await runInvocation(options, command, host))) {
      status = 'Failed';
      break;
    }
  }
  if (command.hosts.length === 0) status = 'Failed';
  options.publish(
    commandEvent('EC2 Command Status-change Notification', command.commandId, command.documentName, status),
  );
}

/** Runs the command on one host and reports it; true when the host succeeded. */
async function runInvocation(
  options: LocalFleetOperatorOptions,
  command: Command,
  host: SandboxHost,
): Promise<boolean> {
  const { operation } = command;
  const outcome = await options.fleet.run(
    host,
    operation.operation,
    operation.parameters,
    operation.document,
  );
  const ok = outcome.ok && outcome.exitCode === 0;
  command.keepOutput(
    host.id,
    outcome.ok ? hostOutputTail(outcome.stdout, outcome.stderr) : `refused: ${outcome.refused.join('; ')}`,
  );
  options.onHostResult?.({
    hostId: host.id,
    operation: operation.operation,
    ok,
    summary: outcome.ok ? outcome.summary : outcome.refused,
  });
  options.publish(
    commandEvent(
      'EC2 Command Invocation Status-change Notification',
      command.commandId,
      command.documentName,
      ok ? 'Success' : 'Failed',
      host.id,
    ),
  );
  return ok;
}

function commandEvent(
  detailType: string,
  commandId: string,
  documentName: string,
  status: string,
  hostId?: string,
) {
  const now = new Date().toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.ssm',
    account: '000000000000',
    time: now,
    region: 'local',
    resources: hostId ? [`arn:aws:ec2:local:000000000000:instance/${hostId}`] : [],
    detail: {
      'command-id': commandId,
      'document-name': documentName,
      ...(hostId ? { 'instance-id': hostId } : {}),
      'requested-date-time': now,
      status,
    },
  };
}
