/**
 * The routing documents' parameters (shift-traffic, apply-routing-lists): who goes where. Each pattern is made
 * from the domain's own (domain/patterns.ts), so whatever a configuration or a live list may hold passes.
 */
import { COLOUR_RULES_MAX_CHARS } from '../domain/colouring';
import { patterns } from '../domain/patterns';
import { MAX_LIST_CHARS } from '../domain/routing-lists';

/** A domain pattern without its anchors, to be part of a larger one. */
const item = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');
// Routing rules (domain/patterns.ts headerName, routingToken): no `.`, so each is also a literal regex.
const headerName = item(patterns.headerName);
const token = item(patterns.routingToken);
const header = (description: string) => ({
  description,
  allowedPattern: `^${headerName}$`,
  minChars: 1,
  maxChars: 64,
});
const value = (description: string) => ({
  description,
  allowedPattern: `^${token}$`,
  minChars: 1,
  maxChars: 64,
});
// A VIP rule the service leaves out arrives empty.
const optional = (description: string, pattern: string) => ({
  description: `${description}, or empty when the service has none`,
  allowedPattern: `^(?:${pattern})?$`,
  minChars: 0,
  maxChars: 64,
});
/** A live list entry (domain/routing-list-entries.ts): a user id, `name=value`, or an IPv4 network. */
const entry = `(?:${token}(?:=${token})?|${item(patterns.clientNetwork)})`;
// A list a document run by hand leaves out is empty, at version 0: the service's own rules alone.
const list = (description: string) => ({
  description: `${description}: user ids, cookies (name=value) and IPv4 networks, joined by commas`,
  allowedPattern: `^(?:${entry}(?:,${entry})*)?$`,
  minChars: 0,
  maxChars: MAX_LIST_CHARS,
  default: '',
});
const listVersion = (description: string) => ({
  description: `${description}: a host keeps the newer of two lists`,
  allowedPattern: '^[0-9]{1,10}$',
  minChars: 1,
  maxChars: 10,
  default: '0',
});

export const routingParameterSpecs = {
  StickyCookie: value('Cookie whose hash assigns a user to a version (client address when absent)'),
  TesterHeader: header('Header that sends a request to the canary whatever the share'),
  TesterValue: value("The tester header's value"),
  VipCookie: optional('Cookie that pins a request to stable', token),
  VipCookieValue: optional("The VIP cookie's value", token),
  VipHeader: optional('Header that pins a request to stable', headerName),
  VipHeaderValue: optional("The VIP header's value", token),
  TagHeader: header(
    'Header that requests routed to the canary carry, and that sends a request to the canary',
  ),
  TagValue: value("The tag header's value"),
  ColourRules: {
    description:
      'Colouring rules in order after VIPs, e.g. header:app=mobile,cookie:b=1,host:gray.x.com,hostPrefix:gray.,zone:eu-west-1a:stable',
    allowedPattern: patterns.colourRules.source,
    minChars: 0,
    maxChars: COLOUR_RULES_MAX_CHARS,
    default: '',
  },
  VipList: list('The live VIP list, pinned to stable'),
  VipListVersion: listVersion("The VIP list's parameter version"),
  TesterList: list('The live tester list, sent to the canary'),
  TesterListVersion: listVersion("The tester list's parameter version"),
} as const;

/** Who goes where, as shift-traffic and apply-routing-lists both take it. */
export const routingParameterNames = Object.keys(
  routingParameterSpecs,
) as (keyof typeof routingParameterSpecs)[];
