import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../domain/service-config';
import { configInput } from '../../local/fixture-service-config';
import { hostCli } from '../support/host-cli';

/* Inputs nginx takes and Envoy refuses, refused before anything is rendered for either. */

describe('what a proxy is given', () => {
  it('takes IP addresses only for the listener and the local service (Envoy loads no name in a STATIC address)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-cli-'));
    const config = join(dir, 'service.json');
    writeFileSync(config, JSON.stringify(configInput()));
    const [byName, upstreamByName, byIp] = await Promise.all([
      hostCli('render-envoy', '--config', config, '--percent', '10', '--listen-address', 'localhost'),
      hostCli('render-routing', '--config', config, '--percent', '10', '--upstream-address', 'service.local'),
      hostCli('render-envoy', '--config', config, '--percent', '10', '--listen-address', '::'),
    ]);
    rmSync(dir, { recursive: true, force: true });

    expect(byName.code).toBe(2);
    expect(byName.stderr).toContain(
      '--listen-address must be an IP address such as 0.0.0.0 or 127.0.0.1, not "localhost"',
    );
    expect(upstreamByName.code).toBe(2);
    expect(upstreamByName.stderr).toContain('--upstream-address must be an IP address');
    expect(byIp.code).toBeUndefined();
    expect(JSON.stringify(JSON.parse(byIp.stdout))).toContain('"address":"::"');
  });

  it('refuses Host as the full-link tag header, in any case, and keeps the default', () => {
    const tagged = (tagHeader: string) => parseServiceConfig(configInput({ routing: { tagHeader } }));

    for (const host of ['Host', 'host', 'HOST']) {
      const result = tagged(host);
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.errors).toContain('routing.tagHeader: a header of your own, not Host');
    }
    expect(tagged('x-release-tag').ok).toBe(true);
    const plain = parseServiceConfig(configInput());
    expect(plain.ok && plain.config.routing.tagHeader).toBe('x-canary-tag');
  });
});
