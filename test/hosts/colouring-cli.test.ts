import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configInput } from '../../local/fixture-service-config';
import { hostCli } from '../support/host-cli';

describe('cli.ts render-routing with colouring rules', () => {
  it('renders the service’s rules or the parameter’s, and refuses what a host would refuse, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-cli-colour-'));
    const colouring = [{ hostPrefix: 'gray.' }, { zone: 'eu-west-1a', route: 'stable' as const }];
    writeFileSync(join(dir, 'entry.json'), JSON.stringify(configInput({ routing: { colouring } })));
    const entry = ['render-routing', '--config', join(dir, 'entry.json'), '--driver', 'nginx'];
    const [own, given, noZone, badRule, badZone] = await Promise.all([
      hostCli(...entry, '--availability-zone', 'eu-west-1a'),
      hostCli(...entry, '--colour-rules', 'cookie:beta=1'),
      hostCli(...entry),
      hostCli(...entry, '--colour-rules', 'cookie:beta=1,header:Host=x'),
      hostCli(...entry, '--availability-zone', 'EU-WEST-1A'),
    ]);
    rmSync(dir, { recursive: true, force: true });

    expect(own.stdout).toContain('map $host $canary_agent_colour_1 {\n    "~^gray\\..*$" new;');
    expect(own.stdout).toContain('map "eu-west-1a" $canary_agent_colour_2 {\n    "~^eu-west-1a$" stable;');
    // The parameter stands in for the service's rules, as a group's downstream member gets none.
    expect(given.stdout).toContain('map $http_cookie $canary_agent_colour_1 {');
    expect(given.stdout).not.toContain('gray');
    expect([noZone.code, noZone.stderr]).toEqual([
      2,
      'a zone colouring rule needs --availability-zone, the host’s zone\n',
    ]);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toContain('--colour-rules: rule 2 (header.name): not Host or Cookie');
    expect(badZone.stderr).toContain('--availability-zone must be a zone name such as eu-west-1a');
  });
});
