import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patterns } from '../../domain/patterns';
import { formatPercent, planFor } from '../../domain/plan';
import type { Strategy } from '../../domain/types';
import { buildDocument, documentsDir, renderDocuments } from '../../hosts/build-documents';
import { containerParameterNames } from '../../hosts/container-parameters';
import { documentSpecs, parameterSpecs } from '../../hosts/document-parameters';
import { checkParameters, loadDocument, runDocument } from '../../hosts/run-document';
import { serviceConfig } from '../../local/fixture-service-config';
import { documentPath } from '../../local/loopback-host';

const fileOf: Record<string, string> = Object.fromEntries(documentSpecs.map((s) => [s.operation, s.file]));

/** Every host operation a mirror release and a steps release send (a step of 0 included), VIP rules both set and not. */
function engineParameters() {
  const plan = (strategy: Strategy, config = serviceConfig()) =>
    planFor({
      releaseId: 'orders-api-r1',
      config,
      strategy,
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
      windowSeconds: 900,
    });
  const vip = serviceConfig({
    routing: { vipCookie: 'tier', vipCookieValue: 'vip', vipHeader: 'x-vip', vipHeaderValue: 'gold' },
  });
  const steps = [
    ...plan({ kind: 'mirror', percent: 2.5 }),
    ...plan({ kind: 'steps', steps: [0, 2.5, 100], bakeSeconds: 600 }, vip),
    ...plan({ kind: 'steps', steps: [10], bakeSeconds: 600 }),
  ];
  return steps.flatMap((s) => (s.kind === 'hostOperation' ? [s] : []));
}

describe('the committed SSM documents', () => {
  it('are what hosts/build-documents.ts produces from the scripts', () => {
    for (const [file, content] of renderDocuments()) {
      expect(
        readFileSync(join(documentsDir, file), 'utf8'),
        `${file} is stale: npx tsx hosts/cli.ts build-documents`,
      ).toBe(content);
    }
  });

  it('declare exactly the parameters the engine sends, and accept the values it sends', () => {
    const steps = engineParameters();
    expect(new Set(steps.map((s) => s.operation))).toEqual(
      new Set(['deployCanary', 'startMirror', 'shiftTraffic', 'stopMirror', 'promote', 'removeCanary']),
    );
    for (const step of steps) {
      const doc = loadDocument(documentPath(fileOf[step.operation] ?? 'missing'));
      expect(Object.keys(doc.parameters).sort()).toEqual(Object.keys(step.parameters).sort());
      expect(checkParameters(doc, step.parameters)).toEqual({ ok: true });
    }
    const restore = loadDocument(documentPath('restore-stable.yml'));
    expect(Object.keys(restore.parameters).sort()).toEqual(
      [
        'ContainerPort',
        'HealthPath',
        'Image',
        'ReleaseId',
        'Service',
        'Version',
        ...containerParameterNames,
      ].sort(),
    );
  });

  it('that route users fit SSM’s 64 KB with both live lists full (SSM counts the parameters too)', () => {
    for (const spec of documentSpecs.filter((s) => s.parameters.includes('VipList'))) {
      const content = JSON.stringify(buildDocument(spec));
      const parameters = spec.parameters.reduce(
        (sum, name) => sum + parameterSpecs[name].maxChars + name.length,
        0,
      );
      console.log(`${spec.file}: ${content.length} + at most ${parameters} characters of parameters`);
      expect(content.length + parameters, spec.file).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it('are schema 2.2 with one aws:runShellScript step', () => {
    for (const spec of documentSpecs) {
      const doc = loadDocument(documentPath(spec.file));
      expect(doc.schemaVersion).toBe('2.2');
      expect(doc.mainSteps[0]?.action).toBe('aws:runShellScript');
    }
  });
});

describe('the documents’ allowedPatterns', () => {
  const accepts = (name: keyof typeof parameterSpecs, value: string) => {
    const spec = parameterSpecs[name];
    return (
      new RegExp(spec.allowedPattern).test(value) &&
      value.length >= spec.minChars &&
      value.length <= spec.maxChars
    );
  };

  it('accept every value the domain patterns let through', () => {
    const cases: Array<[keyof typeof parameterSpecs, RegExp]> = [
      ['Version', patterns.version],
      ['PreviousVersion', patterns.version],
      ['Image', patterns.imageRepository],
      // fast-check cannot generate from look-aheads: the same pattern without its length check.
      ['MirrorHost', new RegExp(patterns.hostName.source.replace('(?=.{1,253}$)', ''))],
      ['HealthPath', patterns.httpPath],
      ['CanaryHost', new RegExp(patterns.hostName.source.replace('(?=.{1,253}$)', ''))],
      ['StickyCookie', patterns.routingToken],
      ['TesterHeader', patterns.headerName],
      ['TesterValue', patterns.routingToken],
      ['VipCookie', patterns.routingToken],
      ['VipCookieValue', patterns.routingToken],
      ['VipHeader', patterns.headerName],
      ['VipHeaderValue', patterns.routingToken],
      ['TagHeader', patterns.headerName],
      ['TagValue', patterns.routingToken],
    ];
    for (const [name, pattern] of cases) {
      fc.assert(
        fc.property(
          fc.stringMatching(pattern).filter((v) => v.length <= 253),
          (value) => {
            expect(accepts(name, value), `${name} ${JSON.stringify(value)}`).toBe(true);
          },
        ),
        { numRuns: 500 },
      );
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 3600 }), (port, seconds) => {
        expect(accepts('ListenPort', String(port))).toBe(true);
        expect(accepts('ReadTimeout', String(seconds))).toBe(true);
      }),
    );
  });

  it('accept every percentage formatPercent produces, and no other number shape', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (percent) => {
        expect(accepts('MirrorPercent', formatPercent(percent))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (percent) => {
        expect(accepts('CanaryPercent', formatPercent(percent))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    for (const bad of ['101', '1e-7', '-5', '2.555', '.5', '10%', ' 10']) {
      expect(accepts('MirrorPercent', bad)).toBe(false);
      expect(accepts('CanaryPercent', bad)).toBe(false);
    }
  });

  it('refuse shell metacharacters in every parameter, before anything runs', async () => {
    const marker = `/tmp/canary-agent-injected-${process.pid}`;
    const payloads = [
      `x;touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      "a' ; touch x '",
      'a|b',
      'a&&b',
      'a\nb',
      'a b',
      '{{ Service }}',
    ];
    for (const spec of documentSpecs) {
      const doc = loadDocument(documentPath(spec.file));
      const valid = Object.fromEntries(
        engineParameters().find((s) => s.operation === spec.operation)?.parameters
          ? Object.entries(engineParameters().find((s) => s.operation === spec.operation)?.parameters ?? {})
          : Object.keys(doc.parameters).map((k) => [k, k === 'Version' ? '1.4.1' : 'x']),
      );
      for (const name of Object.keys(doc.parameters)) {
        for (const payload of payloads) {
          const result = checkParameters(doc, { ...valid, [name]: `${valid[name] ?? ''}${payload}` });
          expect(result.ok, `${spec.file} ${name} ${JSON.stringify(payload)}`).toBe(false);
        }
      }
      const outcome = await runDocument(documentPath(spec.file), {
        ...valid,
        Service: `orders;touch ${marker}`,
      });
      expect(outcome).toMatchObject({ ok: false });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('accept an empty VIP rule (the service has none) and nothing empty elsewhere', () => {
    for (const name of ['VipCookie', 'VipCookieValue', 'VipHeader', 'VipHeaderValue'] as const)
      expect(accepts(name, '')).toBe(true);
    for (const name of ['StickyCookie', 'TesterHeader', 'TesterValue', 'TagHeader', 'TagValue'] as const)
      expect(accepts(name, '')).toBe(false);
    // nginx reads a header as $http_<name> and drops names with `_` or `.`; a `.` in a value would be a regex.
    expect(accepts('TesterHeader', 'x_canary')).toBe(false);
    expect(accepts('TagValue', 'gray.1')).toBe(false);
  });

  it('refuse unknown and missing parameters with a message naming them', () => {
    const doc = loadDocument(documentPath('remove-canary.yml'));
    expect(checkParameters(doc, { Service: 'orders-api', Extra: '1' })).toEqual({
      ok: false,
      errors: ['Extra: not a parameter of this document', 'ReleaseId: missing'],
    });
  });
});
