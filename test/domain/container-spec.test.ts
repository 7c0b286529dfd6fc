import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containerParameters } from '../../domain/container-parameters';
import { parseServiceConfig } from '../../domain/service-config';
import { checkParameters, loadDocument } from '../../hosts/run-document';
import { configInput, serviceConfig } from '../../local/fixture-service-config';
import { documentPath } from '../../local/loopback-host';

/** Every setting a container may have, as a team would write it. */
const FULL = {
  environment: { LOG_LEVEL: 'info', GREETING: 'héllo, "world" $HOME; `id` | x=y' },
  secrets: {
    DB_PASSWORD: '/orders-api/db-password',
    API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-api/api-key-AbCdEf',
    TOKEN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/orders-api/token',
  },
  volumes: [
    { source: '/var/lib/orders-api', target: '/data' },
    { source: 'orders-cache', target: '/cache', readOnly: true },
  ],
  logging: {
    driver: 'awslogs',
    options: { 'awslogs-group': '/ec2/orders-api', 'awslogs-region': 'eu-west-1' },
  },
  user: '1000:1000',
  memoryMiB: 512,
  cpus: 1.5,
  healthCommand: 'curl -fsS http://localhost:8080/healthz',
  options: ['--init', '--read-only', '--cap-drop=ALL', '--tmpfs=/tmp', '--ulimit=nofile=4096:8192'],
};

const errorsOf = (container: unknown) => {
  const result = parseServiceConfig({ ...configInput(), container });
  return result.ok ? [] : result.errors;
};

describe('a container spec', () => {
  it('accepts every setting, and defaults to a plain docker run', () => {
    expect(errorsOf(FULL)).toEqual([]);
    expect(serviceConfig().container).toEqual({ environment: {}, secrets: {}, volumes: [], options: [] });
  });

  it('names the field and what it expects for each bad value', () => {
    const cases: [unknown, RegExp][] = [
      [{ environment: { 'BAD-NAME': 'x' } }, /container\.environment.*BAD-NAME|environment variable name/],
      [{ environment: { A: 'two\nlines' } }, /container\.environment\.A: a value on one line/],
      [{ secrets: { A: 'https://vault/x' } }, /container\.secrets\.A: an SSM parameter name/],
      [{ environment: { A: 'x' }, secrets: { A: '/a' } }, /container\.secrets: a name is either/],
      [{ volumes: [{ source: '/etc/../root', target: '/x' }] }, /no "\.\." in the path/],
      [{ volumes: [{ source: '/a b', target: '/x' }] }, /volumes\.0\.source: an absolute path/],
      [{ user: 'root; id' }, /container\.user: a user such as/],
      [{ cpus: 0.333 }, /container\.cpus: at most two decimals/],
      [{ healthCommand: 'curl $(id)' }, /container\.healthCommand: words such as/],
      [{ options: ['--privileged'] }, /container\.options\.0: one of --init/],
      [{ options: ['--network=host'] }, /container\.options\.0: one of/],
      [{ logging: { driver: 'awslogs', options: { tag: '{{.Name}}' } } }, /a value of letters/],
      [{ unknown: 1 }, /container/],
    ];
    for (const [container, expected] of cases) {
      expect(errorsOf(container).join('\n'), JSON.stringify(container)).toMatch(expected);
    }
  });

  it('chooses the registry login: ECR through its credential helper unless configured, others none', () => {
    const login = (image: object) =>
      containerParameters(serviceConfig({ image: { containerPort: 8080, ...image } as never })).RegistryLogin;
    expect(login({ repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api' })).toBe(
      'ecr-credential-helper',
    );
    expect(login({ repository: 'ghcr.io/acme/orders-api' })).toBe('none');
    expect(
      login({ repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/x', registryLogin: 'aws-cli' }),
    ).toBe('aws-cli');
  });
});

describe('its document parameters', () => {
  const doc = loadDocument(documentPath('deploy-canary.yml'));
  const base = {
    Service: 'orders-api',
    ReleaseId: 'r1',
    Image: 'x/y',
    ContainerPort: '8080',
    HealthPath: '/h',
  };

  it('carry every setting within the documents’ patterns, and secrets only as references', () => {
    const params = containerParameters(serviceConfig({ container: FULL }));
    expect(checkParameters(doc, { ...base, Version: '1.0.0', ...params })).toEqual({ ok: true });
    expect(params.Secrets).toBe(
      Object.entries(FULL.secrets)
        .map(([name, ref]) => `${name}=${ref}`)
        .join(','),
    );
    expect(params.HealthCommand).toBe('curl,-fsS,http://localhost:8080/healthz');
    expect(params.Memory).toBe('512');
    const decoded = Object.fromEntries(
      params.Environment?.split(',').map((item) => {
        const [name, value] = item.split(/=(.*)/s);
        return [name, Buffer.from(value ?? '', 'base64').toString('utf8')];
      }) ?? [],
    );
    expect(decoded).toEqual(FULL.environment);
  });

  it('accept any environment value the schema does, encoded', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
          fc.string({ unit: 'binary', maxLength: 60 }).filter((v) => !/[\r\n\0]/.test(v)),
          { maxKeys: 5 },
        ),
        (environment) => {
          const params = containerParameters(serviceConfig({ container: { environment } }));
          expect(checkParameters(doc, { ...base, Version: '1.0.0', ...params })).toEqual({ ok: true });
        },
      ),
      { numRuns: 300 },
    );
  });
});
