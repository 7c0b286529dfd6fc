/**
 * `npm start`: the whole agent on this machine, on embedded defaults, with no AWS account and no Slack workspace.
 * The same handlers, use cases and engine as on Lambda, over DynamoDB Local, an in-process EventBridge, real
 * nginx hosts on loopback and a console page that behaves like a Slack channel. Ctrl-C stops everything.
 */
// First, so the quiet defaults hold before any module builds a logger or an SDK client.
import './quiet-defaults';
import { rmSync } from 'node:fs';
import { sandboxDir, startSandbox } from './sandbox';
import { INITIAL_VERSION, SANDBOX_USERS } from './sandbox-config';
import { stopOnSignal } from './stop-on-signal';
import { backgroundTraffic } from './traffic';

const dir = sandboxDir();
console.log(
  'Starting the sandbox: DynamoDB Local, the checkout chain (front, orders-api, payments) on nginx hosts, the Slack function and its console…',
);
const starting = startSandbox({
  dir,
  speedUp: 20,
  consolePort: Number(process.env.CANARY_CONSOLE_PORT ?? 3000),
  chain: true,
});
let traffic: ReturnType<typeof backgroundTraffic> | undefined;
let frontTraffic: ReturnType<typeof backgroundTraffic> | undefined;
// Listening from the start: a Ctrl-C while the sandbox starts waits for it, then stops what it started.
stopOnSignal(async () => {
  // A sandbox that failed to start has stopped what it had started already.
  const started = await starting.catch(() => undefined);
  await traffic?.stop();
  await frontTraffic?.stop();
  await started?.stop();
  if (process.env.CANARY_KEEP_SANDBOX === undefined) rmSync(dir, { recursive: true, force: true });
  console.log('Stopped: no process left behind.');
});
const sandbox = await starting;
traffic = backgroundTraffic(() => sandbox.fleet.stableLb.port(), 20);
traffic.start();
const front = sandbox.chain?.member('front');
frontTraffic = front ? backgroundTraffic(() => front.fleet.stableLb.port(), 20) : undefined;
frontTraffic?.start();

console.log(`
Canary Agent sandbox is up (state and logs in ${dir})

  Slack console:  ${sandbox.consoleUrl}
  orders-api:     ${sandbox.stableUrl}/orders/42   (the service's ELB, on the blue fleet; ${INITIAL_VERSION} serves now, 20 requests/s of background traffic)
  canary ELB:     ${sandbox.canaryUrl}
  front:          ${sandbox.chain?.urls.front ?? ''}/orders/42   (calls orders-api, which calls payments; each answer names every version it called)

In the console, pick a person and type, for example:
  /canary start orders-api 1.4.2          a healthy release: wait for the card's Promote button, press it as ben or cat
  /canary start orders-api 1.4.3-bad      a faulty one: its canary answers 500, the alarm fires, the agent rolls back
  /canary start orders-api 1.4.3-slow     answers right but three times slower: no alarm, the canary analysis sees it
  /canary start orders-api 1.4.3-flaky    one request in 50 fails: too few for the 5XX alarm, enough for the analysis
  /canary start orders-api 1.4.3-quiet    mirroring broken: the canary ELB never gets traffic, so there is no data
  /canary start orders-api 1.4.2 strategy=steps:10,50,100     real users in rising steps
  /canary start orders-api 1.4.2 strategy=blue-green          deploy the idle colour, switch the ELB to it
  /canary start group checkout front=1.9.1 orders-api=1.4.2 payments=2.0.1
                                          the whole chain as one release: front colours its share, the others follow the tag
  /canary help

People: ${SANDBOX_USERS.map((u) => u.name).join(', ')}. Validation windows run 20x faster than real time.
Ctrl-C stops every process the sandbox started.
`);
