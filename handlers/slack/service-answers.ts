import { channelLink, clip, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import { closestNames } from '../../domain/did-you-mean';
import { formatPercent } from '../../domain/plan';
import type { ListedService, ServiceConfigs, ServiceList } from '../../domain/ports';
import type { ServiceConfig } from '../../domain/service-config';

/*
 * What a person learns about the configured services: `/canary services`, and the answer to a service name that
 * is not one of them (a did-you-mean and the names). Both read the list only when asked: a command that names a
 * configured service never pays for it.
 */

/** Names shown at most in a refusal; `/canary services` lists them all. */
const NAMES_IN_A_REFUSAL = 20;

/**
 * `/canary services`: each configured service, how it can be released and where its card goes.
 *
 * @example
 * await servicesText(configs) // "*Configured services* (2)\n• *billing-api* in <#C0BILLING>: mirror 10% (the default), …"
 */
export async function servicesText(configs: ServiceConfigs): Promise<string> {
  const list = await configs.list();
  if (list.services.length === 0)
    return 'No service is configured yet: your platform team adds one as a configuration in Parameter Store (docs/deploy.md).';
  const lines = list.services.map((listed) => `• ${serviceLine(listed)}`);
  return [
    `*Configured services* (${list.services.length}${list.complete ? '' : ' listed; there are more'})`,
    ...lines,
    'Start one with `/canary start ‹service› ‹version›` in its channel; `strategy=` picks another way.',
  ].join('\n');
}

function serviceLine({ service, config }: ListedService): string {
  if (!config.ok) {
    const [first] = config.errors;
    const more = config.errors.length > 1 ? ` (and ${config.errors.length - 1} more)` : '';
    return `*${service}*: its configuration is invalid, so it cannot be released: ${escapeMrkdwn(clip(first ?? '', 200))}${more}`;
  }
  return `*${service}* in ${channelLink(config.config.slack.channel)}: ${strategies(config.config).join(', ')}`;
}

/** The strategies a start of this service may use; the first is what `/canary start` without `strategy=` does. */
function strategies(config: ServiceConfig): string[] {
  const steps = `steps ${config.steps.defaultSteps.map(formatPercent).join(' → ')}%`;
  const mirror =
    config.mirror.readOnlyAcknowledgedBy === undefined
      ? 'mirror refused (not acknowledged as read-only: start with `strategy=steps`)'
      : `mirror ${formatPercent(config.mirror.defaultPercent)}% (the default)`;
  return [mirror, steps, ...(config.blueGreen ? ['blue/green'] : [])];
}

/**
 * The answer to a service that is not configured: the closest names as a did-you-mean, then the configured
 * ones, so that the next command can be typed without asking anyone. `hint` is the command's own advice.
 *
 * @example
 * await unknownServiceText(configs, 'ordres-api', '')
 * // "No service called *ordres-api* is configured. Did you mean *orders-api*? Configured: *billing-api*, *orders-api*."
 */
export async function unknownServiceText(
  configs: ServiceConfigs,
  service: string,
  hint: string,
): Promise<string> {
  const list = await configs.list();
  const names = list.services.map((s) => s.service);
  const near = closestNames(service, names);
  const guess = near.length > 0 ? ` Did you mean ${orList(near)}?` : '';
  return `No service called *${escapeMrkdwn(service)}* is configured.${guess} ${configuredNames(list)}${hint ? ` ${hint}` : ''}`;
}

function configuredNames(list: ServiceList): string {
  if (list.services.length === 0) return 'No service is configured yet.';
  const shown = list.services.slice(0, NAMES_IN_A_REFUSAL).map((s) => `*${s.service}*`);
  const rest = list.services.length - shown.length;
  const more = rest > 0 || !list.complete ? `, and more (\`/canary services\` lists them)` : '';
  return `Configured: ${shown.join(', ')}${more}.`;
}

function orList(names: readonly string[]): string {
  const bold = names.map((name) => `*${name}*`);
  return bold.length === 1 ? (bold[0] as string) : `${bold.slice(0, -1).join(', ')} or ${bold.at(-1)}`;
}
