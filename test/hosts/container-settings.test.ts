import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerParameters } from '../../domain/container-parameters';
import type { ServiceConfigInput } from '../../domain/service-config';
import { serviceConfig } from '../../local/fixture-service-config';
import { freePort } from '../../local/free-port';
import { createHost, destroyHost, get, type Host, run, snapshot } from '../../local/loopback-host';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, IMAGE } from './operations-hosts';

/*
 * The container spec through the real deploy document on a loopback host: the fake Docker starts the "container"
 * with the environment it was given, and the fake AWS CLI answers from a local store (test/hosts/shims).
 */

const DB_PASSWORD = 's3cr3t-db-pässword with spaces & $(signs)';
const API_KEY = 'api-key-0123456789';
const API_KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-api/api-key-AbCdEf';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

let host: Host;
let port: number;
const awsDir = () => join(host.root, 'aws');
const dockerDir = () => join(host.root, 'docker');

beforeAll(async () => {
  port = await freePort();
  host = createHost('container', await freePort());
  mkdirSync(awsDir());
  writeFileSync(
    join(awsDir(), 'parameters.json'),
    JSON.stringify({ '/orders-api/db-password': DB_PASSWORD }),
  );
  writeFileSync(join(awsDir(), 'secrets.json'), JSON.stringify({ [API_KEY_ARN]: API_KEY }));
});
afterAll(() => destroyHost(host));

function deploy(container: ServiceConfigInput['container'], version: string, image = {}, env = {}) {
  const config = serviceConfig({ container, image: { repository: IMAGE, containerPort: port, ...image } });
  const params = {
    Service: 'orders-api',
    ReleaseId: 'orders-api-r1',
    Image: IMAGE,
    ContainerPort: String(port),
    HealthPath: '/healthz',
    Version: version,
    ...containerParameters(config),
  };
  return { params, outcome: run(host, 'deploy-canary.yml', params, env) };
}

/** Every file under the host's root holding `text`, but Docker's own container records and the secret store. */
function filesHolding(text: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const where = relative(host.root, path);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/^docker\/containers\/|^aws\/(?:parameters|secrets)\.json$/.test(where)) {
        if (readFileSync(path, 'utf8').includes(text)) found.push(where);
      }
    }
  };
  walk(host.root);
  return found;
}

describe('a container spec on a host', () => {
  it('starts the container with its environment and secrets, and no secret in any command, output or log', async () => {
    const { params, outcome } = deploy(
      {
        environment: { LOG_LEVEL: 'debug', GREETING: 'héllo, "world" $HOME; `id`' },
        secrets: { DB_PASSWORD: '/orders-api/db-password', API_KEY: API_KEY_ARN },
        volumes: [{ source: '/var/lib/orders-api', target: '/data', readOnly: true }],
        logging: { driver: 'awslogs', options: { 'awslogs-group': '/ec2/orders-api' } },
        user: '1000:1000',
        memoryMiB: 512,
        cpus: 1.5,
        healthCommand: 'curl -fsS http://localhost:8080/healthz',
        options: ['--init', '--cap-drop=ALL'],
      },
      '2.0.0',
    );
    const result = await outcome;
    expectSucceeded(result, true);
    const env = (await get(port, '/__env')).body as Record<string, string>;
    expect(env).toEqual({
      LOG_LEVEL: 'debug',
      GREETING: 'héllo, "world" $HOME; `id`',
      DB_PASSWORD,
      API_KEY,
    });
    for (const secret of [DB_PASSWORD, API_KEY]) {
      expect(JSON.stringify(params)).not.toContain(secret);
      expect(result.ok && result.stdout + result.stderr).not.toContain(secret);
      expect(filesHolding(secret), `files holding ${secret}`).toEqual([]);
    }
    expect(readdirSync(join(host.root, 'run')).filter((f) => f.startsWith('secrets'))).toEqual([]);
    const record = JSON.parse(
      readFileSync(join(dockerDir(), 'containers', 'orders-api-canary.json'), 'utf8'),
    );
    expect(record.options).toMatchObject({
      '--user': ['1000:1000'],
      '--memory': ['512m'],
      '--cpus': ['1.5'],
      '--health-cmd': ['curl -fsS http://localhost:8080/healthz'],
      '--log-driver': ['awslogs'],
      '--log-opt': ['awslogs-group=/ec2/orders-api'],
      '--volume': ['/var/lib/orders-api:/data:ro'],
      '--init': [true],
      '--cap-drop': ['ALL'],
    });
  });

  it('refuses a secret it cannot read, with the service’s reason, and leaves the running canary', async () => {
    const before = snapshot(host);
    const { outcome } = deploy({ secrets: { MISSING: '/orders-api/missing' } }, '2.0.1');
    expectFailedAndRestored(
      await outcome,
      /cannot read secret MISSING from \/orders-api\/missing .*ParameterNotFound/,
    );
    expect(snapshot(host)).toEqual(before);
    expect((await get(port)).body.version).toBe('2.0.0');
    expect(readdirSync(join(host.root, 'run')).filter((f) => f.startsWith('secrets'))).toEqual([]);
  });

  it('refuses a secret of several lines, which an env file cannot carry', async () => {
    writeFileSync(
      join(awsDir(), 'parameters.json'),
      JSON.stringify({ '/orders-api/db-password': DB_PASSWORD, '/orders-api/pem': 'line one\nline two' }),
    );
    const { outcome } = deploy({ secrets: { PEM: '/orders-api/pem' } }, '2.0.1');
    expectFailedAndRestored(await outcome, /secret PEM \(\/orders-api\/pem\) has more than one line/);
    expect(filesHolding('line two')).toEqual([]);
  });
});

describe('pulling from ECR', () => {
  // From here on this host's Docker has a config file, so an ECR pull needs credentials, as a real one does.
  beforeAll(() => writeFileSync(join(dockerDir(), 'config.json'), '{}'));

  it('reports the registry’s own reason when the host cannot log in', async () => {
    const { outcome } = deploy({}, '3.0.0', { registryLogin: 'none' });
    expectFailedAndRestored(await outcome, /cannot pull .*:3\.0\.0: .*no basic auth credentials/);
  });

  it('logs in with aws ecr get-login-password, the password through a pipe only', async () => {
    writeFileSync(join(awsDir(), 'ecr-password'), 'ecr-password-42');
    const { outcome } = deploy({}, '3.0.0', { registryLogin: 'aws-cli' });
    expectSucceeded(await outcome, true);
    const calls = readFileSync(join(awsDir(), 'calls.log'), 'utf8');
    expect(calls).toContain(JSON.stringify(['ecr', 'get-login-password', '--region', 'eu-west-1']));
    const commands = readFileSync(join(dockerDir(), 'commands.log'), 'utf8');
    expect(commands).toContain(JSON.stringify(['login', '--username', 'AWS', '--password-stdin', REGISTRY]));
    expect(filesHolding('ecr-password-42')).toEqual(['aws/ecr-password']);
  });

  it('pulls through the credential helper, and says so when the host has none', async () => {
    rmLogins();
    writeFileSync(
      join(dockerDir(), 'config.json'),
      JSON.stringify({ credHelpers: { [REGISTRY]: 'ecr-login' } }),
    );
    expectSucceeded(await deploy({}, '3.0.1').outcome, true);
    const missing = deploy({}, '3.0.2', {}, { CA_ECR_HELPER: 'docker-credential-none-here' });
    expectFailedAndRestored(
      await missing.outcome,
      /ecr-credential-helper, but docker-credential-none-here is not installed/,
    );
  });
});

function rmLogins() {
  const logins = join(dockerDir(), 'logins');
  if (existsSync(logins)) writeFileSync(logins, '');
}
