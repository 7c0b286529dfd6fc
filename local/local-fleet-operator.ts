import { randomUUID } from 'node:crypto';
import type { FleetOperator } from '../domain/ports';
import type { SandboxFleet } from './sandbox-fleet';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The sandbox's Run Command: runs an operation's SSM document on every host the tags select, one host after
 * another with MaxErrors 0 (stop at the first failure), and reports each host and then the whole command as
 * the documented "EC2 Command Invocation Status-change Notification" / "EC2 Command Status-change Notification"
 * events on the default bus, so results reach the engine the way they do on AWS: through the ssmCommand handler.
 */
export function localFleetOperator(options: {
  readonly fleet: SandboxFleet;
  readonly documentPrefix: string;
  readonly publish: (event: unknown) => void;
  readonly onHostResult?: (result: {
    hostId: string;
    operation: string;
    ok: boolean;
    summary: unknown;
  }) => void;
}): FleetOperator & { close(): void; settled(): Promise<void> } {
  const cancelled = new Set<string>();
  const running = new Set<Promise<void>>();

  function event(
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

  let closed = false;
  return {
    async run(_releaseId, operation) {
      // Once the sandbox stops, nothing new may start on its hosts: a late event would leave a proxy running.
      if (closed) throw new Error('the sandbox is stopping: no new host operations');
      const commandId = randomUUID();
      const documentName = `${options.documentPrefix}-${kebab(operation.operation)}`;
      const hosts = options.fleet.hostsMatching(operation.targets);
      const work = (async () => {
        let status = 'Success';
        for (const host of hosts) {
          if (cancelled.has(commandId)) {
            status = 'Cancelled';
            break;
          }
          const outcome = await options.fleet.run(host, operation.operation, operation.parameters);
          const ok = outcome.ok && outcome.exitCode === 0;
          options.onHostResult?.({
            hostId: host.id,
            operation: operation.operation,
            ok,
            summary: outcome.ok ? outcome.summary : outcome.refused,
          });
          const invocation = ok ? 'Success' : 'Failed';
          options.publish(
            event(
              'EC2 Command Invocation Status-change Notification',
              commandId,
              documentName,
              invocation,
              host.id,
            ),
          );
          if (!ok) {
            status = 'Failed';
            break;
          }
        }
        if (hosts.length === 0) status = 'Failed';
        options.publish(event('EC2 Command Status-change Notification', commandId, documentName, status));
      })();
      const tracked = work.finally(() => running.delete(tracked));
      running.add(tracked);
      return { commandId };
    },
    async cancel(commandId) {
      cancelled.add(commandId);
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
