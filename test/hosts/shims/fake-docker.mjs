// The subset of the Docker CLI the host scripts use, over a state directory (FAKE_DOCKER_DIR): images are
// "pulled" unless listed in FAKE_DOCKER_DIR/missing-images; a container is a fake-service.mjs process, started
// with the container's environment (--env, --env-file). Every call's arguments are appended to commands.log (what
// a process list would show). With a FAKE_DOCKER_DIR/config.json (Docker's own config file), a pull from ECR needs
// credentials as Docker's do: a `docker login` to that registry, or a credential helper named in credHelpers.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.FAKE_DOCKER_DIR;
if (!dir) die('FAKE_DOCKER_DIR is not set');
mkdirSync(join(dir, 'containers'), { recursive: true });
appendFileSync(join(dir, 'commands.log'), `${JSON.stringify(process.argv.slice(2))}\n`);
const here = dirname(fileURLToPath(import.meta.url));

function die(message, code = 1) {
  process.stderr.write(`docker: ${message}\n`);
  process.exit(code);
}
const file = (name) => join(dir, 'containers', `${name}.json`);
const load = (name) => (existsSync(file(name)) ? JSON.parse(readFileSync(file(name), 'utf8')) : null);
const save = (c) => writeFileSync(file(c.name), JSON.stringify(c));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};
const lines = (name) =>
  existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').split('\n') : [];
const images = () => lines('images').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(c) {
  const ready = join(dir, `${c.name}.ready`);
  rmSync(ready, { force: true });
  const child = spawn(
    process.execPath,
    [
      join(here, 'fake-service.mjs'),
      String(c.hostPort),
      c.image.split(':').pop(),
      c.name,
      dir,
      c.hostAddress ?? '127.0.0.1',
    ],
    {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, ...c.env, FAKE_CONTAINER_ENV_NAMES: Object.keys(c.env ?? {}).join(',') },
    },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.unref();
  for (let i = 0; i < 100 && !exited && !existsSync(ready); i++) await sleep(30);
  if (!existsSync(ready)) {
    save({ ...c, running: false, pid: null });
    die(
      `driver failed programming external connectivity: Bind for ${c.hostAddress ?? '127.0.0.1'}:${c.hostPort} failed: port is already allocated`,
      125,
    );
  }
  save({ ...c, running: true, pid: child.pid });
}

async function stop(c) {
  if (c.running && c.pid && alive(c.pid)) {
    process.kill(c.pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(c.pid); i++) await sleep(20);
    if (alive(c.pid)) process.kill(c.pid, 'SIGKILL');
  }
  save({ ...c, running: false, pid: null });
}

/** Flags of `docker run` that take a value (as the next argument or after `=`); the rest stand alone. */
const VALUED = new Set([
  '--name',
  '-p',
  '--label',
  '--restart',
  '--user',
  '--memory',
  '--cpus',
  '--health-cmd',
  '--log-driver',
  '--log-opt',
  '--volume',
  '--env',
  '--env-file',
]);

/** `docker run`'s arguments: each option's values, the container's environment, and the image (the last one). */
function runArguments(args) {
  const options = new Map();
  let i = 0;
  for (; i < args.length - 1; i++) {
    const [flag, inline] =
      args[i].startsWith('--') && args[i].includes('=') ? args[i].split(/=(.*)/s) : [args[i]];
    const value = inline ?? (VALUED.has(flag) ? args[++i] : true);
    options.set(flag, [...(options.get(flag) ?? []), value]);
  }
  const env = {};
  for (const file of options.get('--env-file') ?? [])
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const [key, value] = line.split(/=(.*)/s);
      env[key] = value;
    }
  for (const pair of options.get('--env') ?? []) {
    const [key, value] = pair.split(/=(.*)/s);
    env[key] = value;
  }
  return { options, env, image: args.at(-1) };
}

/** Whether a pull from `registry` has credentials, when this Docker has a config file (see the top). */
function authorised(registry) {
  const config = join(dir, 'config.json');
  if (!existsSync(config) || !/\.dkr\.ecr\./.test(registry)) return true;
  if (lines('logins').includes(registry)) return true;
  const helper = JSON.parse(readFileSync(config, 'utf8')).credHelpers?.[registry];
  return (
    helper !== undefined &&
    spawnSync(`docker-credential-${helper}`, ['get'], { input: `${registry}\n` }).status === 0
  );
}

const [command, ...args] = process.argv.slice(2);
const status = (c) => ({ ...c, running: Boolean(c.running && c.pid && alive(c.pid)) });

switch (command) {
  case 'pull': {
    const ref = args[0];
    if (lines('missing-images').includes(ref))
      die(`Error response from daemon: manifest for ${ref} not found`);
    if (!authorised(ref.split('/')[0]))
      die(`Error response from daemon: Head "https://${ref.split('/')[0]}/v2/": no basic auth credentials`);
    if (!images().includes(ref)) writeFileSync(join(dir, 'images'), [...images(), ref, ''].join('\n'));
    console.log(`Status: Downloaded newer image for ${ref}`);
    break;
  }
  case 'image': {
    if (args[0] !== 'inspect' || !images().includes(args[1])) die(`Error: No such image: ${args[1]}`);
    console.log('[{}]');
    break;
  }
  case 'inspect': {
    const format = args[args.indexOf('--format') + 1];
    const c = load(args.at(-1));
    if (!c) die(`Error: No such object: ${args.at(-1)}`);
    const s = status(c);
    console.log(
      format.replace('{{.State.Running}}', String(s.running)).replace('{{.Config.Image}}', c.image),
    );
    break;
  }
  case 'run': {
    const { options, env, image } = runArguments(args);
    const name = options.get('--name')?.[0];
    const published = (options.get('-p')?.[0] ?? '').split(':');
    if (load(name)) die(`Conflict. The container name "/${name}" is already in use`, 125);
    if (!images().includes(image)) die(`Unable to find image '${image}' locally`, 125);
    const user = options.get('--user')?.[0];
    if (user !== undefined && lines('unknown-users').includes(user))
      die(`unable to find user ${user}: no matching entries in passwd file`, 126);
    await start({
      name,
      image,
      hostAddress: published.at(-3) ?? '127.0.0.1',
      hostPort: Number(published.at(-2)),
      running: false,
      pid: null,
      env,
      options: Object.fromEntries(options),
    });
    console.log(`${name}-id`);
    break;
  }
  case 'login': {
    const password = readFileSync(0, 'utf8').trim();
    const registry = args.at(-1);
    if (!args.includes('--password-stdin')) die('use --password-stdin');
    if (password === '' || password === 'expired')
      die(
        `Error response from daemon: login attempt to https://${registry}/v2/ failed with status: 400 Bad Request`,
      );
    writeFileSync(join(dir, 'logins'), [...lines('logins').filter(Boolean), registry, ''].join('\n'));
    console.log('Login Succeeded');
    break;
  }
  case 'start':
  case 'stop': {
    const c = load(args.at(-1));
    if (!c) die(`Error response from daemon: No such container: ${args.at(-1)}`);
    if (command === 'stop') await stop(c);
    else if (!status(c).running) await start(c);
    console.log(c.name);
    break;
  }
  case 'rm': {
    const c = load(args.at(-1));
    if (!c) die(`Error response from daemon: No such container: ${args.at(-1)}`);
    if (status(c).running && !args.includes('-f')) die('You cannot remove a running container');
    await stop(c);
    rmSync(file(c.name));
    console.log(c.name);
    break;
  }
  case 'rename': {
    const [from, to] = args;
    const c = load(from);
    if (!c) die(`Error response from daemon: No such container: ${from}`);
    if (load(to)) die(`Error response from daemon: Conflict. The name "/${to}" is already in use`);
    rmSync(file(from));
    save({ ...c, name: to });
    break;
  }
  default:
    die(`unsupported command ${command}`);
}
