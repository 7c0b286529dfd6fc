import * as z from 'zod';
import { patterns } from './patterns';

/**
 * `canaryStack` in a service's configuration: who makes the canary, and, for a temporary stack
 * (domain/canary-stack.ts), the template it is made from.
 */
export function buildCanaryStackSchema() {
  const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
  return z
    .strictObject({
      /**
       * Who makes the canary: the agent on a standing canary fleet (Run Command), the team's own tooling
       * (which reports it), or the agent as a temporary CloudFormation stack per release (domain/canary-stack.ts).
       */
      provisionedBy: z.enum(['agent', 'external', 'cloudformation']).default('agent'),
      /** The canary's load balancer; a temporary stack outputs its own instead. */
      elbHost: z.string().regex(patterns.hostName, "the canary stack's ELB DNS name").optional(),
      /** The temporary stack's template (an S3 URL) and the parameters it takes besides Service, Version, Image. */
      template: z
        .strictObject({
          url: z.string().regex(patterns.templateUrl, 'an https:// URL of a template in Amazon S3'),
          parameters: z
            .record(
              z.string().regex(patterns.stackParameterKey, 'a template parameter name (letters and digits)'),
              z.string().max(4096),
            )
            .refine((p) => !['Service', 'Version', 'Image'].some((key) => key in p), {
              message: 'Service, Version and Image are set by the agent for each release',
            })
            .default({}),
        })
        .optional(),
      readyTimeoutSeconds: seconds(60, 7200).default(1800),
      /** How long deleting a temporary stack may take before the card says it was left behind. */
      deleteTimeoutSeconds: seconds(60, 7200).default(1800),
    })
    .refine((s) => s.provisionedBy === 'cloudformation' || s.elbHost !== undefined, {
      message: "name the canary's load balancer (elbHost), or let a temporary stack create one",
      path: ['elbHost'],
    })
    .refine((s) => (s.provisionedBy === 'cloudformation') === (s.template !== undefined), {
      message:
        'a template is what a temporary stack (provisionedBy: cloudformation) is made from, and only that',
      path: ['template'],
    });
}

/** What the configuration says of where the canary runs, as far as the canary rules need it. */
interface CanaryPlacement {
  readonly canaryStack: { readonly provisionedBy: 'agent' | 'external' | 'cloudformation' };
  readonly fleets: { readonly canary?: unknown };
  readonly alarms: { readonly canary: readonly string[] };
  readonly blueGreen?: unknown;
  readonly hooks: readonly { readonly document?: string | undefined; readonly fleet?: string | undefined }[];
}

/**
 * The rules between fields about the canary: a standing fleet for the agent to deploy on, none for a stack that
 * brings its own, an alarm to judge it unless its stack outputs one, and a fleet for a document hook on it.
 */
export function whereTheCanaryRuns(c: CanaryPlacement, ctx: z.RefinementCtx): void {
  const { provisionedBy } = c.canaryStack;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (c.alarms.canary.length === 0 && provisionedBy !== 'cloudformation') {
    issue(
      ['alarms', 'canary'],
      'name at least one alarm that judges the canary (its load balancer 5XX alarm)',
    );
  }
  if (c.fleets.canary === undefined && provisionedBy === 'agent') {
    issue(
      ['fleets', 'canary'],
      'name the standing canary fleet the agent deploys the canary on (fleets.canary)',
    );
  }
  if (c.fleets.canary !== undefined && provisionedBy === 'cloudformation') {
    issue(['fleets', 'canary'], 'a temporary canary stack brings its own hosts: leave fleets.canary out');
  }
  const homeless = c.hooks.some(
    (h) => h.document && h.fleet !== 'stable' && c.fleets.canary === undefined && !c.blueGreen,
  );
  if (homeless) {
    issue(
      ['hooks'],
      'a document hook on the canary needs a standing canary fleet (fleets.canary) to run on; use fleet "stable", or a Lambda or URL hook',
    );
  }
}
