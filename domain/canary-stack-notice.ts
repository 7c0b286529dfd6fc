import { type Consequence, consequence, type NoticeMedium, names } from './notice';

/** What the engine says about the release's temporary canary stack (see canary-stack-events.ts). */
export type CanaryStackNotice =
  | {
      readonly kind: 'canaryStackCreated';
      readonly stackName: string;
      readonly host: string;
      readonly alarmNames: readonly string[];
    }
  | {
      readonly kind: 'canaryStackCreateFailed';
      readonly stackName: string;
      readonly reason: string;
      readonly leadsTo: Consequence;
    }
  | { readonly kind: 'canaryStackDeleted'; readonly stackName: string }
  | { readonly kind: 'canaryStackDeleteFailed'; readonly stackName: string; readonly reason: string };

const KINDS: ReadonlySet<string> = new Set<CanaryStackNotice['kind']>([
  'canaryStackCreated',
  'canaryStackCreateFailed',
  'canaryStackDeleted',
  'canaryStackDeleteFailed',
]);

export function isCanaryStackNotice(notice: { readonly kind: string }): notice is CanaryStackNotice {
  return KINDS.has(notice.kind);
}

export function renderCanaryStackNotice(notice: CanaryStackNotice, m: NoticeMedium): string {
  const stack = `The canary stack ${m.text(notice.stackName)}`;
  switch (notice.kind) {
    case 'canaryStackCreated':
      return `${stack} is up: its load balancer is ${m.text(notice.host)}, judged by ${names(notice.alarmNames, m)}.`;
    case 'canaryStackCreateFailed':
      return consequence(`${stack} could not be created: ${m.text(notice.reason)}`, notice.leadsTo);
    case 'canaryStackDeleted':
      return `${stack} is deleted.`;
    case 'canaryStackDeleteFailed':
      return `${stack} could not be deleted: ${m.text(notice.reason)}. Delete it in CloudFormation by hand; it still runs hosts.`;
  }
}

/** CloudFormation's reason, for the thread under the headline. */
export function canaryStackNoticeDetail(notice: CanaryStackNotice): string | undefined {
  return 'reason' in notice ? notice.reason || undefined : undefined;
}
