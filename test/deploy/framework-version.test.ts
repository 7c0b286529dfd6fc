import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readServerlessYml } from '../../local/serverless-yml';

/*
 * One deployer and one Node version, said the same way everywhere: serverless.yml, package.json, the installed
 * osls, .nvmrc and the README's deploy page.
 */

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const pkg = json('package.json') as { engines: { node: string }; devDependencies: Record<string, string> };
const osls = json('node_modules/osls/package.json') as { version: string; engines: { node: string } };
const yml = readServerlessYml() as unknown as {
  frameworkVersion: string;
  provider: { runtime: string };
  custom: { esbuild: { target: string } };
};
const major = (version: string) => /\d+/.exec(version)?.[0];

describe('the deployer and the Node version', () => {
  it('is osls of the major serverless.yml names, as package.json pins and node_modules holds', () => {
    expect(major(yml.frameworkVersion)).toBe('4');
    expect(major(pkg.devDependencies.osls ?? '')).toBe(major(yml.frameworkVersion));
    expect(major(osls.version)).toBe(major(yml.frameworkVersion));
  });

  it('asks for the Node versions osls runs on, and .nvmrc names the one Lambda runs', () => {
    expect(pkg.engines.node).toBe(osls.engines.node);
    const nvmrc = readFileSync('.nvmrc', 'utf8').trim();
    expect(yml.provider.runtime).toBe(`nodejs${nvmrc}.x`);
    expect(yml.custom.esbuild.target).toBe(`node${nvmrc}`);
  });

  it('is what the README and the deploy guide say', () => {
    const readme = readFileSync('README.md', 'utf8');
    const deploy = readFileSync('docs/deploy.md', 'utf8');
    for (const text of [readme, deploy]) {
      expect(text).toContain(`osls ${major(yml.frameworkVersion)}`);
      expect(text).not.toMatch(/Serverless Framework v3 line/);
    }
    expect(readme).toContain(`Node ${readFileSync('.nvmrc', 'utf8').trim()}`);
  });
});
