import type { InstanceCensus } from '../domain/plan-survey';
import type { ServiceConfig } from '../domain/service-config';
import type { LoadBalancer } from './load-balancer';
import type { sandboxAlarms } from './sandbox-alarms';
import {
  CHAIN_CANARY_ALARMS,
  CHAIN_INITIAL_VERSIONS,
  CHAIN_TARGET_GROUPS,
  type ChainService,
  chainServiceConfig,
  ordersInChain,
} from './sandbox-chain-config';
import { CANARY_ALARM, INITIAL_VERSION } from './sandbox-config';
import { type SandboxFleet, type SandboxHost, sandboxFleet } from './sandbox-fleet';
import { runOnHost } from './sandbox-host';
import type { TargetedFleet } from './sandbox-target-groups';

/** One service of the chain: its configuration as stored, its hosts and load balancers, its canary alarm. */
export interface ChainMember {
  readonly service: ChainService;
  readonly config: ServiceConfig;
  readonly fleet: SandboxFleet;
  /** The version its stable fleet runs when the sandbox starts. */
  readonly initialVersion: string;
  readonly canaryAlarm: string;
  /** Its stable "ELB": where its upstream (or a user, for the entry) sends requests. */
  readonly stableUrl: string;
  readonly canaryUrl: string;
}

/** The hosts of several services as Run Command and the plan preview see them: one account, selected by tags. */
export type HostDirectory = Pick<SandboxFleet, 'hostsMatching' | 'run' | 'census'>;

/** The chain as tests and the demo use it: every member in call order, each one's stable URL, every host. */
export interface SandboxChain extends HostDirectory {
  /** front, orders-api, payments: the order a request travels. */
  readonly members: readonly ChainMember[];
  readonly urls: Readonly<Record<ChainService, string>>;
  member(service: ChainService): ChainMember;
}

/** What the chain's other services need from the sandbox. */
interface ChainParts {
  readonly dir: string;
  /** orders-api's 127.N.0: front takes 127.N.1, payments 127.N.2. */
  readonly network: string;
  readonly now: () => number;
  readonly alarms: ReturnType<typeof sandboxAlarms>;
  /** orders-api's configuration before the chain: the others share its approvers and channel. */
  readonly ordersConfig: ServiceConfig;
}

const SUBNETS = { front: 1, payments: 2 } as const;

const urlOf = (lb: LoadBalancer) => `http://127.0.0.1:${lb.port()}`;

/**
 * orders-api's fleet (made by `ordersFleet` from its configuration), and with `chain`, payments' before it and
 * front's after it: downstream first, since each container is configured with the URL of the service it calls.
 * Every fleet is provisioned at once. `hosts` is every host Run Command may select by tag: the chain's, if any.
 */
export async function startFleets(
  parts: ChainParts & { readonly chain?: boolean },
  ordersFleet: (config: ServiceConfig) => Promise<SandboxFleet>,
  stopping: (() => Promise<void> | void)[],
): Promise<{ config: ServiceConfig; fleet: SandboxFleet; chain?: SandboxChain; hosts: HostDirectory }> {
  const payments = parts.chain ? await chainMember('payments', parts, undefined, stopping) : undefined;
  const config = payments ? ordersInChain(parts.ordersConfig, payments.stableUrl) : parts.ordersConfig;
  const fleet = await ordersFleet(config);
  await fleet.listen();
  const front = payments ? await chainMember('front', parts, urlOf(fleet.stableLb), stopping) : undefined;
  const starts = [fleet.start(INITIAL_VERSION)];
  if (front && payments) starts.push(front.start(), payments.start());
  await startAll(starts);
  if (front === undefined || payments === undefined) return { config, fleet, hosts: fleet };
  const chain = sandboxChain([front, ordersMember(config, fleet), payments]);
  return { config, fleet, chain, hosts: chain };
}

/**
 * Front or payments on its own hosts, its load balancers listening (so its upstream can be configured with its
 * URL) but no host yet: `start` provisions them.
 */
async function chainMember(
  service: 'front' | 'payments',
  parts: ChainParts,
  downstreamUrl: string | undefined,
  stopping: (() => Promise<void> | void)[],
): Promise<ChainMember & { start(): Promise<void> }> {
  const config = chainServiceConfig(service, parts.ordersConfig, downstreamUrl);
  const fleet = await sandboxFleet({
    dir: parts.dir,
    config,
    colourHosts: 2,
    canaryHosts: 1,
    network: `${parts.network.split('.').slice(0, 2).join('.')}.${SUBNETS[service]}`,
    now: parts.now,
    onCanaryResponse: parts.alarms.evaluatorOf(CHAIN_CANARY_ALARMS[service]).record,
  });
  stopping.push(() => fleet.stop());
  await fleet.listen();
  const initialVersion = CHAIN_INITIAL_VERSIONS[service];
  return {
    service,
    config,
    fleet,
    initialVersion,
    canaryAlarm: CHAIN_CANARY_ALARMS[service],
    stableUrl: urlOf(fleet.stableLb),
    canaryUrl: urlOf(fleet.canaryLb),
    start: () => fleet.start(initialVersion),
  };
}

/** orders-api as the chain's middle member. */
function ordersMember(config: ServiceConfig, fleet: SandboxFleet): ChainMember {
  return {
    service: 'orders-api',
    config,
    fleet,
    initialVersion: INITIAL_VERSION,
    canaryAlarm: CANARY_ALARM,
    stableUrl: urlOf(fleet.stableLb),
    canaryUrl: urlOf(fleet.canaryLb),
  };
}

/** The target groups of the chain's other services, beside orders-api's (local/sandbox-target-groups.ts). */
export function chainTargetGroups(chain: SandboxChain | undefined): TargetedFleet[] {
  return (chain?.members ?? []).flatMap((m) =>
    m.service === 'orders-api'
      ? []
      : [{ fleet: m.fleet, config: m.config, targetGroups: { stable: CHAIN_TARGET_GROUPS[m.service] } }],
  );
}

/** Starts every fleet at once and waits for all of them, so a failure leaves no provisioning behind. */
async function startAll(starts: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
}

function sandboxChain(members: readonly ChainMember[]): SandboxChain {
  const directory = everyHost(members.map((m) => m.fleet));
  const member = (service: ChainService): ChainMember => {
    const found = members.find((m) => m.service === service);
    if (found === undefined) throw new Error(`the chain has no ${service}`);
    return found;
  };
  const urls = {
    front: member('front').stableUrl,
    'orders-api': member('orders-api').stableUrl,
    payments: member('payments').stableUrl,
  };
  return { ...directory, members, urls, member };
}

/** The hosts of every fleet, selected by their EC2 tags as Run Command selects across one account. */
function everyHost(fleets: readonly SandboxFleet[]): HostDirectory {
  const matching = (targets: Readonly<Record<string, string>>): SandboxHost[] =>
    fleets.flatMap((fleet) => fleet.hostsMatching(targets));
  return {
    hostsMatching: matching,
    run: runOnHost,
    census: {
      count: async (tags) => {
        const all = matching(tags).length;
        return { all, online: all };
      },
    } satisfies InstanceCensus,
  };
}
