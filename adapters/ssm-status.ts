import type { CommandOutcome } from '../domain/types';

/**
 * SSM Run Command statuses (command and invocation) mapped to the engine's outcomes; `null` while still running.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html
 */
export function commandOutcome(status: string): CommandOutcome | null {
  switch (status) {
    case 'Success':
      return 'success';
    case 'Failed':
    case 'Undeliverable':
    // A command with failed hosts that stayed within MaxErrors; the engine counts them (domain/error-budget.ts).
    case 'Incomplete':
      return 'failed';
    case 'TimedOut':
    case 'DeliveryTimedOut':
    case 'ExecutionTimedOut':
      return 'timedOut';
    case 'Cancelled':
    case 'Terminated':
      return 'cancelled';
    default:
      return null;
  }
}
