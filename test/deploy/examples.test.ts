import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseServiceConfig } from '../../domain/service-config';
import { checkConfigCommand } from '../../hosts/check-config';
import { renderStableNginx } from '../../hosts/nginx-config';
import { readServerlessYml } from '../../local/serverless-yml';
import { hostCli } from '../support/host-cli';

/*
 * Every file in examples/, found by listing the folder: a new example is checked without anyone adding it here,
 * and a kind of file with no check fails until it gets one.
 */

const DIR = 'examples';
const files = readdirSync(DIR, { recursive: true, encoding: 'utf8' })
  .filter((file) => statSync(join(DIR, file)).isFile())
  .sort();
const ofKind = (pattern: RegExp) => files.filter((file) => pattern.test(file));
const CHECKED = [
  /\.jsonc$/,
  /\.sh$/,
  /^deployer-policy\.json$/,
  /^README\.md$/,
  /^documents\/[a-z0-9-]+\.yml$/,
  // test/deploy/canary-stack-template.test.ts
  /^canary-stack(-role)?\.yml$/,
];

describe('examples/', () => {
  it('holds only files this test knows how to check, and its README names each of them', () => {
    expect(files.filter((file) => !CHECKED.some((kind) => kind.test(file)))).toEqual([]);
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    expect(files.filter((file) => file !== 'README.md' && !readme.includes(`(${file})`))).toEqual([]);
  });

  it.each(ofKind(/\.jsonc$/))('%s passes check-config, and its --json is what the agent parses', (file) => {
    // Act: in this process (the CLI's own process runs on the broken file below).
    const checked = checkConfigCommand([join(DIR, file)]);
    const converted = checkConfigCommand([join(DIR, file), '--json']);

    // Assess
    expect(checked.exitCode).toBe(0);
    expect(checked.stdout).toMatch(
      new RegExp(`^examples/${file}: a valid configuration of [a-z-]+ \\(\\d+ bytes`),
    );
    const parsed = parseServiceConfig(JSON.parse(converted.stdout));
    expect(parsed.ok).toBe(true);
    expect(Buffer.byteLength(converted.stdout.trim())).toBeLessThanOrEqual(4096);
  });
});

describe('check-config on a broken configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-check-config-'));
  const example = readFileSync(join(DIR, 'mirror-standing-fleet.jsonc'), 'utf8');

  it('names each wrong field, exits 1 and prints no JSON', async () => {
    // Prepare: a misspelt key, a user id that is not one, an alarm outside the watched prefix.
    const broken = example
      .replace('"fourEyes"', '"fourEye"')
      .replace('"U024BE7LH", "U0G9QF9C6"', '"ana", "U0G9QF9C6"')
      .replace('"canary-orders-api-canary-5xx"', '"orders-api-canary-5xx"');
    const file = join(dir, 'broken.jsonc');
    writeFileSync(file, broken);

    // Act
    const run = await hostCli('check-config', file, '--json');

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `${file}: 2 problems`,
      '  approvals.users.0: a Slack user id such as "U024BE7LH"',
      '  approvals: unknown field(s) fourEye',
      '',
    ]);
  });

  it('points at the line and column of JSON that does not parse, and refuses an unwatched alarm', () => {
    const trailingComma = join(dir, 'comma.jsonc');
    writeFileSync(trailingComma, example.replace('"hostOperationTimeoutSeconds": 600,', '"x": 1,,'));
    const unwatched = join(dir, 'unwatched.jsonc');
    writeFileSync(unwatched, example.replace('"canary-orders-api-canary-5xx"', '"orders-api-canary-5xx"'));

    const comma = checkConfigCommand([trailingComma]);
    const alarm = checkConfigCommand([unwatched]);

    expect(comma.exitCode).toBe(1);
    const line = example.split('\n').findIndex((text) => text.includes('"hostOperationTimeoutSeconds"')) + 1;
    expect(comma.stderr).toContain(`(file): not valid JSON at line ${line}, column 10: `);
    expect(alarm.exitCode).toBe(1);
    expect(alarm.stderr).toContain(
      '  alarms.canary.0: "orders-api-canary-5xx" does not start with "canary-", the prefix of the alarms the agent watches',
    );
    expect(checkConfigCommand([unwatched, '--alarm-prefix', 'orders-']).exitCode).toBe(1);
    expect(checkConfigCommand([]).exitCode).toBe(2);
  });
});

describe('examples/host-bootstrap.sh', () => {
  const script = join(DIR, 'host-bootstrap.sh');
  const bash = (command: string) => execFileSync('bash', ['-c', command], { encoding: 'utf8' });

  it('is valid bash that stops at the first failure', () => {
    execFileSync('bash', ['-n', script]);
    expect(readFileSync(script, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\n(#.*\n)+set -euo pipefail\n/);
  });

  it('writes the host nginx the agent renders, which the host scripts find reuseport and a drain switch in', () => {
    // Act
    const conf = bash(`source ${script}; render_nginx_conf`);
    // The host scripts' own checks, with `nginx -T` answered by the rendered file.
    const dir = mkdtempSync(join(tmpdir(), 'ca-bootstrap-'));
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const found = bash(
      `source hosts/scripts/lib-nginx.sh; dump() { cat "$CA_NGINX_CONF"; }
       CA_NGINX=dump CA_NGINX_CONF=${dir}/nginx.conf CA_NGINX_PID=/run/nginx.pid LISTEN_PORT=80
       stable_nginx_reuseport && stable_nginx_drainable && echo both`,
    );

    // Assess: the agent's reference, but logging to the host's access log.
    const reference = renderStableNginx(
      {
        service: 'orders-api',
        listenAddress: '0.0.0.0',
        listenPort: 80,
        upstreamAddress: '127.0.0.1',
        servicePort: 8080,
        connectTimeoutSeconds: 60,
        readTimeoutSeconds: 60,
        sendTimeoutSeconds: 60,
      },
      {
        pidFile: '/run/nginx.pid',
        tempDir: '/var/lib/nginx/tmp',
        errorLog: '/var/log/nginx/error.log',
        workerProcesses: 'auto',
      },
    );
    expect(conf).toBe(reference.replace('access_log off;', 'access_log /var/log/nginx/access.log combined;'));
    expect(found.trim()).toBe('both');
  });

  it('pins an Envoy the host scripts accept (1.34 or later)', () => {
    const [major, minor] = bash(`source ${script}; echo "$ENVOY_VERSION"`).trim().split('.').map(Number);
    expect((major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 34)).toBe(true);
  });
});

describe('examples/documents/', () => {
  it.each(ofKind(/^documents\//))(
    '%s is an SSM Command document that declares every parameter it uses',
    (file) => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const doc = parse(text) as {
        schemaVersion: string;
        parameters: Record<string, { allowedPattern?: string }>;
        mainSteps: { action: string }[];
      };

      expect(doc.schemaVersion).toBe('2.2');
      expect(doc.mainSteps.map((step) => step.action)).toEqual(['aws:runShellScript']);
      const used = new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]));
      expect([...used].filter((name) => name && !(name in doc.parameters))).toEqual([]);
      // SSM substitutes values into the shell as they are: only a pattern keeps a metacharacter out.
      expect(Object.entries(doc.parameters).filter(([, p]) => !p.allowedPattern)).toEqual([]);
    },
  );
});

describe('examples/deployer-policy.json', () => {
  const policy = JSON.parse(readFileSync(join(DIR, 'deployer-policy.json'), 'utf8')) as {
    Statement: { Effect: string; Action: string[]; Resource: string | string[] }[];
  };
  const services = new Set(policy.Statement.flatMap((s) => s.Action.map((a) => a.split(':')[0])));

  it('covers every AWS service the stack creates resources in', () => {
    // serverless.yml's own resources, and what osls adds: functions, their roles and log groups, the HTTP API,
    // the rules, the deployment bucket, the host documents (scripts/ssm-documents-plugin.cjs).
    const declared = Object.values(readServerlessYml().resources.Resources).map((resource) =>
      resource.Type.split('::')[1]?.toLowerCase(),
    );
    const added = ['lambda', 'iam', 'logs', 'apigateway', 'events', 's3', 'ssm', 'cloudformation'];
    const named = { apigatewayv2: 'apigateway', sqs: 'sqs' } as Record<string, string>;
    for (const service of [...declared, ...added])
      expect(services).toContain(named[service ?? ''] ?? service);
  });

  it('allows only, and scopes every right it can to the agent’s names', () => {
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      const resources = [statement.Resource].flat();
      if (resources.includes('*'))
        expect(statement.Action).toEqual([
          'cloudformation:ValidateTemplate',
          'sts:GetCallerIdentity',
          'logs:DescribeLogGroups',
        ]);
      else for (const arn of resources) expect(arn).toMatch(/canary-agent|apigateway/);
    }
  });
});
