import * as z from 'zod';
import { patterns } from './patterns';

/**
 * Colouring: which requests an entry service of a full-link release sends on the new path (its canary, which tags
 * them for the services downstream) or keeps on stable, beyond the share of users (README, "Weighted steps: who
 * goes where"). Rules are tried in order after the VIPs; the first that matches decides.
 */
export type ColourRoute = 'new' | 'stable';

export type ColourMatch =
  | { readonly header: { readonly name: string; readonly value: string } }
  | { readonly host: string }
  | { readonly hostPrefix: string }
  | { readonly cookie: { readonly name: string; readonly value: string } }
  | { readonly zone: string };

export type ColourRule = ColourMatch & { readonly route: ColourRoute };

/** Enough for a few markets and a bot rule; each rule is a route on every routing proxy. */
export const MAX_COLOUR_RULES = 8;
/**
 * The `ColourRules` parameter's ceiling, several times what a few rules take: SSM counts it, at its longest,
 * towards the shift-traffic document's 64 KB.
 */
export const COLOUR_RULES_MAX_CHARS = 512;

const KINDS = ['header', 'host', 'hostPrefix', 'cookie', 'zone'] as const;

const token = (what: string) =>
  z.string().regex(patterns.routingToken, `${what} of letters, digits, _ and -`);

function buildColourRuleSchema() {
  const headerName = z
    .string()
    .regex(patterns.headerName, 'a header name (letters, digits and -)')
    .refine(
      (name) => !['host', 'cookie'].includes(name.toLowerCase()),
      'not Host or Cookie: a host, hostPrefix or cookie rule matches those',
    );
  return z
    .strictObject({
      header: z.strictObject({ name: headerName, value: token('a header value') }).optional(),
      host: z
        .string()
        .regex(patterns.hostName, 'a lower-case DNS name such as gray.shop.example.com')
        .optional(),
      hostPrefix: z
        .string()
        .regex(patterns.hostPrefix, 'the leading labels of a host name, each with its dot, such as "gray."')
        .optional(),
      cookie: z.strictObject({ name: token('a cookie name'), value: token('a cookie value') }).optional(),
      zone: z
        .string()
        .regex(patterns.availabilityZone, 'an Availability Zone name such as eu-west-1a')
        .optional(),
      route: z.enum(['new', 'stable'], 'route "new" (the canary, the default) or "stable"').default('new'),
    })
    .refine((r) => KINDS.filter((kind) => r[kind] !== undefined).length === 1, {
      message: `one of ${KINDS.join(', ')} per rule`,
    })
    .transform((r): ColourRule => {
      const { route } = r;
      if (r.header) return { header: r.header, route };
      if (r.host) return { host: r.host, route };
      if (r.hostPrefix) return { hostPrefix: r.hostPrefix, route };
      if (r.cookie) return { cookie: r.cookie, route };
      return { zone: r.zone ?? '', route };
    });
}

/** The service configuration's `routing.colouring`: an ordered list of rules, none by default. */
export function colouringSchema() {
  return z
    .array(buildColourRuleSchema())
    .max(MAX_COLOUR_RULES, `at most ${MAX_COLOUR_RULES} rules`)
    .refine(
      (rules) => colourRulesParameter(rules).length <= COLOUR_RULES_MAX_CHARS,
      `the rules must fit the ${COLOUR_RULES_MAX_CHARS} characters of the ColourRules parameter: fewer or shorter host names`,
    )
    .default([]);
}

/** One rule as the parameter writes it, `:stable` after a rule that keeps what it matches on stable. */
function formatRule(rule: ColourRule): string {
  const route = rule.route === 'stable' ? ':stable' : '';
  if ('header' in rule) return `header:${rule.header.name}=${rule.header.value}${route}`;
  if ('cookie' in rule) return `cookie:${rule.cookie.name}=${rule.cookie.value}${route}`;
  if ('host' in rule) return `host:${rule.host}${route}`;
  if ('hostPrefix' in rule) return `hostPrefix:${rule.hostPrefix}${route}`;
  return `zone:${rule.zone}${route}`;
}

/**
 * The rules as the shift-traffic document's `ColourRules` parameter (patterns.colourRules), in their order; empty
 * when there are none.
 *
 * @example
 * colourRulesParameter([{ header: { name: 'app', value: 'mobile' }, route: 'new' }, { zone: 'eu-west-1a', route: 'stable' }])
 * // 'header:app=mobile,zone:eu-west-1a:stable'
 */
export function colourRulesParameter(rules: readonly ColourRule[]): string {
  return rules.map(formatRule).join(',');
}

export type ColourRulesResult =
  | { readonly ok: true; readonly rules: readonly ColourRule[] }
  | { readonly ok: false; readonly problem: string };

/**
 * The `ColourRules` parameter read back into rules, as strictly as the configuration takes them.
 *
 * @example
 * parseColourRules('cookie:beta=1') // { ok: true, rules: [{ cookie: { name: 'beta', value: '1' }, route: 'new' }] }
 */
export function parseColourRules(parameter: string): ColourRulesResult {
  if (!patterns.colourRules.test(parameter)) {
    return { ok: false, problem: `not colouring rules (kind:what[:stable], joined by commas): ${parameter}` };
  }
  const rules = parameter === '' ? [] : parameter.split(',').map(ruleInput);
  const parsed = colouringSchema().safeParse(rules);
  if (parsed.success) return { ok: true, rules: parsed.data };
  const issue = parsed.error.issues[0];
  const [place, ...field] = issue?.path ?? [];
  const where =
    typeof place === 'number' ? `rule ${place + 1}${field.length ? ` (${field.join('.')})` : ''}` : 'rules';
  return { ok: false, problem: `${where}: ${issue?.message ?? 'invalid'}` };
}

/** `header:app=mobile:stable` as the configuration writes it; the pattern has checked its shape. */
function ruleInput(text: string): Record<string, unknown> {
  const stable = text.endsWith(':stable');
  const body = stable ? text.slice(0, -':stable'.length) : text;
  const at = body.indexOf(':');
  const kind = body.slice(0, at);
  const what = body.slice(at + 1);
  const [name, value] = what.split('=');
  const match = kind === 'header' || kind === 'cookie' ? { name, value } : what;
  return { [kind]: match, route: stable ? 'stable' : 'new' };
}
