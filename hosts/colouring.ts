import type { ColourRoute, ColourRule } from '../domain/colouring';
import { MATCHES_NOTHING } from './routing-lists';
import { headerVariable } from './routing-settings';

/**
 * The colouring rules (domain/colouring.ts) as both routing proxies match them. The shift-traffic document makes
 * the same matchers in bash (hosts/scripts/lib-colouring.sh); test/hosts/routing-proxy-colouring*.test.ts compare.
 */
export interface ColourMatcher {
  /** `colour-2-host`: the Envoy route's name, the rule's place and kind. */
  readonly name: string;
  readonly route: ColourRoute;
  /** What the routing nginx's map reads: `$http_app`, `$host`, `$http_cookie`, or the host's zone, quoted. */
  readonly nginxSource: string;
  /** Matched against the whole source (`"~^…$"`). */
  readonly nginxRegex: string;
  /** The request header an Envoy route matches (`:authority` for the Host), and its RE2 regex on the whole value. */
  readonly envoyHeader: string;
  readonly envoyRegex: string;
}

const regexLiteral = (text: string) => text.replace(/[.]/g, '\\.');

/** The Cookie header holds `name=value` among other cookies, as the VIP cookie's regex finds it. */
const cookieRegex = (name: string, value: string) => `(?:.*[;,])?\\s*${name}=${value}\\s*(?:[;,].*)?`;

/**
 * Each rule in order. nginx's `$host` is the Host in lower case without its port; Envoy's `:authority` is as the
 * client sent it, so its regex ignores case and allows a port. A zone rule compares the host's own Availability
 * Zone, a constant of the configuration: nginx's map reads it as its source; Envoy's route matches every request
 * (`:path`) in that zone and none elsewhere.
 *
 * @example
 * colourMatchers([{ hostPrefix: 'gray.', route: 'new' }])[0]
 * // { name: 'colour-1-host-prefix', nginxSource: '$host', nginxRegex: 'gray\\..*', envoyRegex: '(?i)gray\\..*', … }
 */
export function colourMatchers(rules: readonly ColourRule[], availabilityZone?: string): ColourMatcher[] {
  return rules.map((rule, i) => {
    const name = (kind: string) => `colour-${i + 1}-${kind}`;
    const { route } = rule;
    if ('header' in rule) {
      const { name: header, value } = rule.header;
      const source = `$http_${headerVariable(header)}`;
      return {
        name: name('header'),
        route,
        nginxSource: source,
        nginxRegex: value,
        envoyHeader: header,
        envoyRegex: value,
      };
    }
    if ('cookie' in rule) {
      const regex = cookieRegex(rule.cookie.name, rule.cookie.value);
      return {
        name: name('cookie'),
        route,
        nginxSource: '$http_cookie',
        nginxRegex: regex,
        envoyHeader: 'cookie',
        envoyRegex: regex,
      };
    }
    if ('host' in rule) {
      const host = regexLiteral(rule.host);
      const envoyRegex = `(?i)${host}(?::[0-9]+)?`;
      return {
        name: name('host'),
        route,
        nginxSource: '$host',
        nginxRegex: host,
        envoyHeader: ':authority',
        envoyRegex,
      };
    }
    if ('hostPrefix' in rule) {
      const prefix = `${regexLiteral(rule.hostPrefix)}.*`;
      const envoyRegex = `(?i)${prefix}`;
      return {
        name: name('host-prefix'),
        route,
        nginxSource: '$host',
        nginxRegex: prefix,
        envoyHeader: ':authority',
        envoyRegex,
      };
    }
    if (availabilityZone === undefined) throw new Error(`${name('zone')} needs the host's Availability Zone`);
    const here = rule.zone === availabilityZone;
    return {
      name: name('zone'),
      route,
      nginxSource: `"${availabilityZone}"`,
      nginxRegex: rule.zone,
      envoyHeader: ':path',
      envoyRegex: here ? '.*' : MATCHES_NOTHING,
    };
  });
}

/** nginx's variable for the colour from rule `index` on (1 is every rule's verdict): `new`, `stable` or empty. */
export const colourVariable = (index: number) => `$canary_agent_colour_${index}`;

/** One rule's map: its verdict when it matches, else the next rule's. */
export function nginxColourMap(
  m: Pick<ColourMatcher, 'nginxSource' | 'nginxRegex'> & { readonly route: string },
  index: number,
): string {
  return `  map ${m.nginxSource} ${colourVariable(index)} {
    "~^${m.nginxRegex}$" ${m.route};
    default ${colourVariable(index + 1)};
  }`;
}

/** After the last rule: no colour, so the tester, tag and share rules decide. */
export function nginxColourEnd(index: number): string {
  return `  map "" ${colourVariable(index)} {
    default "";
  }`;
}

/** The rules as a chain of maps: nginx evaluates a map when it is read, so the first rule that matches decides. */
export function nginxColourMaps(matchers: readonly ColourMatcher[]): string {
  return [...matchers.map((m, i) => nginxColourMap(m, i + 1)), nginxColourEnd(matchers.length + 1)].join(
    '\n',
  );
}
