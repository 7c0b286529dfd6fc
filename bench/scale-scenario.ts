/**
 * The scale simulation's story: 200 services on 5,000 hosts, 50 releases at once started by pipelines, a fleet that
 * answers Run Command, approvers who press Promote a few minutes after a clean window, the sweeper every minute, and
 * an alarm storm: one alarm every running release watches goes to ALARM amid 500 alarm events in a minute.
 */
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { SendCommandCommandInput } from '@aws-sdk/client-ssm';
import type { ServiceConfigInput } from '../domain/service-config';
import { configInput } from '../local/fixture-service-config';
import { lambdaContext } from '../local/lambda-http';
import type { AwsHooks, ReleaseStateChange } from './scale-aws';
import { alarmChange, promoteClick, releaseRequested, ssmResult, sweeperTick } from './scale-events';
import { buildFleet, type FleetShape, planCommand } from './scale-fleet';
import type { World } from './scale-world';

export interface ScaleShape {
  readonly services: number;
  readonly fleet: FleetShape;
  readonly concurrent: number;
  readonly windowSeconds: number;
  readonly stormAtSeconds: number;
  readonly stormEvents: number;
  /** No release starts after this; the run ends at `endSeconds` whatever is still running. */
  readonly startUntilSeconds: number;
  readonly endSeconds: number;
}

/** The alarm every service names among its stable alarms: the shared edge's 5XX. */
export const SHARED_ALARM = 'canary-edge-5xx';
const TERMINAL = new Set(['succeeded', 'rolledBack']);
/** The documents a rollback sends first: stop mirroring (or routing) on stable, or remove the canary. */
const UNDO_DOCUMENTS = /(stop-mirror|restore-stable|remove-canary)$/;

// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own event; the scenario builds them right.
type Handler = (event: any, context: any) => Promise<any>;
export type Handlers = Record<
  'pipeline' | 'ssmCommand' | 'timer' | 'effects' | 'slack' | 'alarm' | 'sweeper',
  Handler
>;

export function serviceName(index: number): string {
  return `svc-${String(index).padStart(3, '0')}`;
}

function scaleConfig(service: string, index: number): ServiceConfigInput {
  return configInput({
    service,
    image: { repository: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${service}`, containerPort: 8080 },
    fleets: {
      stable: { tags: { 'canary-agent:fleet': `${service}-stable` } },
      canary: { tags: { 'canary-agent:fleet': `${service}-canary` } },
    },
    alarms: { canary: [`canary-${service}-5xx`], stable: [SHARED_ALARM] },
    slack: { channel: `C0SVC${String(index).padStart(4, '0')}` },
  });
}

/** What the run saw, for the report. */
export interface Observed {
  readonly states: Map<string, string>;
  readonly refused: string[];
  started: number;
  /** The storm: when the watched alarm was delivered (simulated ms), who watched it and in what state. */
  readonly storm: {
    t0?: number;
    watching: Map<string, string>;
    /** The releases the alarm rolled back: a canary not yet taking traffic only records it. */
    firedOn: Set<string>;
    latencies: Map<string, number>;
  };
}

/** The simulation's outside world and the people in it, answering what the agent asks of AWS. */
export class Story {
  readonly observed: Observed = {
    states: new Map(),
    refused: [],
    started: 0,
    storm: { watching: new Map(), firedOn: new Set(), latencies: new Map() },
  };
  readonly hooks: AwsHooks;
  private readonly names: string[];
  private readonly configs: Map<string, ServiceConfigInput>;
  private readonly fleets: Map<string, string[]>;
  private readonly alarms = new Map<string, 'OK' | 'ALARM'>();
  private readonly commands = new Map<string, { document: string; status: string }>();
  private readonly cancelled = new Set<string>();
  private readonly active = new Set<string>();
  private nextService = 0;
  private slackUrl = '';

  constructor(
    private readonly world: World,
    private readonly handlers: Handlers,
    private readonly shape: ScaleShape,
    private readonly random: () => number,
  ) {
    this.names = Array.from({ length: shape.services }, (_, i) => serviceName(i));
    this.configs = new Map(this.names.map((name, i) => [name, scaleConfig(name, i)]));
    this.fleets = buildFleet(this.names, shape.fleet);
    this.hooks = {
      config: (service) => this.configs.get(service),
      alarmState: (name) => this.alarms.get(name) ?? 'OK',
      send: (input) => this.send(input),
      commandStatus: (commandId) => this.commands.get(commandId)?.status,
      cancel: (commandId) => this.cancel(commandId),
      schedule: (input) => this.schedule(input),
      unschedule: (name) => this.cancelled.add(name),
      handOff: (payload) => world.after(100, this.invoke('effects', JSON.parse(payload))),
      released: (change) => this.released(change),
    };
  }

  /** Starts the story: the first releases over a minute, the sweeper every minute, the storm. */
  begin(slackUrl: string): void {
    this.slackUrl = slackUrl;
    const { world, shape } = this;
    for (let i = 0; i < shape.concurrent; i++)
      world.after((i * 60_000) / shape.concurrent, () => this.start());
    for (let s = 60; s <= shape.endSeconds; s += 60)
      world.after(s * 1000, this.invoke('sweeper', sweeperTick()));
    world.after(shape.stormAtSeconds * 1000, () =>
      storm(world, shape, this.observed, this.alarms, (name, event) => this.invoke(name, event)),
    );
  }

  private invoke(name: keyof Handlers, event: unknown): () => Promise<void> {
    return this.world.deliver(name, () => this.handlers[name](event, lambdaContext(name)));
  }

  /** A pipeline asks for a release of the next service, round the list, that has none running. */
  private async start(): Promise<void> {
    const { names, active, observed } = this;
    if (this.world.elapsed() > this.shape.startUntilSeconds * 1000) return;
    const k = names.findIndex((_, k) => !active.has(names[(this.nextService + k) % names.length] ?? ''));
    const chosen = names[(this.nextService + k) % names.length];
    if (k < 0 || chosen === undefined) return;
    this.nextService = (this.nextService + k + 1) % names.length;
    active.add(chosen);
    const n = ++observed.started;
    const event = releaseRequested(`scale-${n}`, chosen, `2.0.${n}`, this.shape.windowSeconds);
    await this.world.deliver('pipeline', async () => {
      const result = await this.handlers.pipeline(event, lambdaContext('pipeline'));
      if (result?.refused) {
        observed.refused.push(`${chosen}: ${result.refused} ${result.message}`);
        active.delete(chosen);
      }
    })();
  }

  /** Followers of the agent's bus: an approver presses Promote a few minutes in; a finished service starts again. */
  private released(change: ReleaseStateChange): void {
    const { observed, world, random } = this;
    const before = observed.states.get(change.releaseId);
    if (change.notice?.kind === 'alarmFired' && change.notice.alarmName === SHARED_ALARM)
      observed.storm.firedOn.add(change.releaseId);
    observed.states.set(change.releaseId, change.state);
    if (change.state === 'awaitingApproval' && before !== 'awaitingApproval')
      world.after(
        60_000 + random() * 120_000,
        this.invoke('slack', promoteClick(change.releaseId, this.slackUrl)),
      );
    if (TERMINAL.has(change.state) && !TERMINAL.has(before ?? '')) {
      this.active.delete(change.service);
      world.after(10_000 + random() * 50_000, () => this.start());
    }
  }

  /** Run Command: each host reports when it is done, then the command; a cancelled command's hosts stop. */
  private send(input: SendCommandCommandInput): string {
    const { commands, world } = this;
    const commandId = `00000000-0000-4000-8000-${(commands.size + 1).toString(16).padStart(12, '0')}`;
    const document = input.DocumentName ?? '';
    timeToUndo(this.observed, (input.Comment ?? '').split(' ')[1] ?? '', document);
    const tagged = (input.Targets ?? [])
      .flatMap((t) => t.Values ?? [])
      .flatMap((v) => this.fleets.get(v) ?? []);
    const request = { maxConcurrency: input.MaxConcurrency ?? '10%', maxErrors: input.MaxErrors ?? '0' };
    const plan = planCommand(input.InstanceIds ?? tagged, request, Date.now(), this.shape.fleet, this.random);
    const command = { document, status: 'InProgress' };
    commands.set(commandId, command);
    const live = (run: () => Promise<void>) => async () =>
      command.status === 'InProgress' ? run() : undefined;
    for (const host of plan.hosts)
      world.at(
        host.at,
        live(this.invoke('ssmCommand', ssmResult(commandId, document, host.status, host.hostId))),
      );
    world.at(
      plan.finishedAt,
      live(async () => {
        command.status = plan.status;
        await this.invoke('ssmCommand', ssmResult(commandId, document, plan.status))();
      }),
    );
    return commandId;
  }

  /** SSM stops the command's hosts and reports the command Cancelled a moment later. */
  private cancel(commandId: string): void {
    const command = this.commands.get(commandId);
    if (command?.status !== 'InProgress') return;
    command.status = 'Cancelling';
    this.world.after(2000, async () => {
      command.status = 'Cancelled';
      await this.invoke('ssmCommand', ssmResult(commandId, command.document, 'Cancelled'))();
    });
  }

  /** Scheduler: a one-time `at()` schedule invokes the timer function with its input, unless deleted first. */
  private schedule(input: CreateScheduleCommandInput): void {
    const at = Date.parse(`${/at\((.+)\)/.exec(input.ScheduleExpression ?? '')?.[1]}Z`);
    const name = input.Name ?? '';
    this.cancelled.delete(name);
    this.world.at(at, async () => {
      if (!this.cancelled.has(name)) await this.invoke('timer', JSON.parse(input.Target?.Input ?? '{}'))();
    });
  }
}

/** One watched alarm goes to ALARM (delivered twice), amid `stormEvents` other alarm changes in one minute. */
function storm(
  world: World,
  shape: ScaleShape,
  observed: Observed,
  alarms: Map<string, 'OK' | 'ALARM'>,
  invoke: (name: keyof Handlers, event: unknown) => () => Promise<void>,
): Promise<void> {
  for (const [releaseId, state] of observed.states)
    if (!TERMINAL.has(state)) observed.storm.watching.set(releaseId, state);
  alarms.set(SHARED_ALARM, 'ALARM');
  const fired = alarmChange('storm-shared-alarm', SHARED_ALARM, 'ALARM');
  // At least once: the same event again 1.5 s later.
  world.after(1500, invoke('alarm', fired));
  for (let i = 0; i < shape.stormEvents - 2; i++) {
    const name = `canary-team-${i % 250}-latency`;
    const event = alarmChange(`storm-${i}`, name, i % 2 === 0 ? 'ALARM' : 'OK');
    world.after(((i + 1) * 60_000) / shape.stormEvents, invoke('alarm', event));
  }
  world.after(60_000, async () => {
    alarms.set(SHARED_ALARM, 'OK');
    await invoke('alarm', alarmChange('storm-shared-ok', SHARED_ALARM, 'OK'))();
  });
  observed.storm.t0 = Date.now();
  return invoke('alarm', fired)();
}

/**
 * A release's first undo command after the storm's alarm: simulated time, which is the handlers' own time plus any
 * wait on the fleet (a release whose deploy was running first waits for it to be cancelled).
 */
function timeToUndo(observed: Observed, releaseId: string, document: string): void {
  const { storm } = observed;
  // Recorded for every watching release; the report keeps those the alarm rolled back (its notice follows the command).
  if (storm.t0 === undefined || !storm.watching.has(releaseId) || !UNDO_DOCUMENTS.test(document)) return;
  if (!storm.latencies.has(releaseId)) storm.latencies.set(releaseId, Date.now() - storm.t0);
}
