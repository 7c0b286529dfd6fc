// Envoy cannot run here. `--mode validate` checks the structure the host scripts rely on; FAKE_ENVOY_REJECT=1
// makes it reject like a real validation failure. Serving is not faked: a run exits at once, so a hand-off to
// Envoy fails its readiness check.
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const config = args[args.indexOf('-c') + 1];
if (!args.includes('--mode') || args[args.indexOf('--mode') + 1] !== 'validate') {
  console.error('fake envoy: serve mode is not available in tests');
  process.exit(1);
}
const problems = [];
let doc;
try {
  doc = JSON.parse(readFileSync(config, 'utf8'));
} catch (error) {
  console.error(`error initializing configuration '${config}': ${error.message}`);
  process.exit(1);
}
const listener = doc.static_resources?.listeners?.[0];
if (!Number.isInteger(listener?.address?.socket_address?.port_value)) problems.push('listener port_value');
const clusters = doc.static_resources?.clusters ?? [];
for (const c of clusters)
  if (!/^\d+(\.\d+)?s$/.test(c.connect_timeout ?? '')) problems.push(`${c.name}.connect_timeout`);
const route =
  listener?.filter_chains?.[0]?.filters?.[0]?.typed_config?.route_config?.virtual_hosts?.[0]?.routes?.[0]
    ?.route;
for (const p of route?.request_mirror_policies ?? []) {
  if (!clusters.some((c) => c.name === p.cluster)) problems.push(`mirror cluster ${p.cluster} undefined`);
  const n = p.runtime_fraction?.default_value?.numerator;
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) problems.push('runtime_fraction numerator');
}
if (!clusters.some((c) => c.name === route?.cluster)) problems.push('route cluster undefined');
if (process.env.FAKE_ENVOY_SEEN) writeFileSync(process.env.FAKE_ENVOY_SEEN, readFileSync(config));
if (process.env.FAKE_ENVOY_REJECT === '1') problems.push('rejected on request (FAKE_ENVOY_REJECT)');
if (problems.length > 0) {
  console.error(`error initializing configuration '${config}': ${problems.join(', ')}`);
  process.exit(1);
}
console.log(`configuration '${config}' OK`);
