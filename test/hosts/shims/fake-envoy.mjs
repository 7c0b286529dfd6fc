// Envoy cannot run here. `--version` names FAKE_ENVOY_VERSION (1.34.1 unless set). `--mode validate` checks the
// structure the host scripts rely on; FAKE_ENVOY_REJECT=1 makes it reject like a real validation failure. Serving
// is not faked: a run exits at once, so a hand-off to Envoy fails its readiness check.
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
// As Envoy prints it: `envoy  version: <sha>/<version>/Clean/RELEASE/BoringSSL`.
if (args.includes('--version')) {
  const version = process.env.FAKE_ENVOY_VERSION ?? '1.34.1';
  console.log(`envoy  version: 7b8baff1758f0a584dcc3cb657b5032000bcb3d7/${version}/Clean/RELEASE/BoringSSL`);
  process.exit(0);
}
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
// The routing Envoy loads its routes from a file (RDS from the file system), which must exist at load time.
const hcm = listener?.filter_chains?.[0]?.filters?.[0]?.typed_config;
const routesPath = hcm?.rds?.config_source?.path_config_source?.path;
let routeConfig = hcm?.route_config;
if (routesPath) {
  try {
    routeConfig = JSON.parse(readFileSync(routesPath, 'utf8')).resources?.[0];
  } catch (error) {
    problems.push(`routes file ${routesPath}: ${error.message}`);
  }
}
const routes = routeConfig?.virtual_hosts?.[0]?.routes ?? [];
if (routes.length === 0) problems.push('no routes');
const defined = (name) => clusters.some((c) => c.name === name);
for (const { route } of routes) {
  for (const p of route?.request_mirror_policies ?? []) {
    if (!defined(p.cluster)) problems.push(`mirror cluster ${p.cluster} undefined`);
    const n = p.runtime_fraction?.default_value?.numerator;
    if (!Number.isInteger(n) || n < 0 || n > 1_000_000) problems.push('runtime_fraction numerator');
  }
  const targets = route?.weighted_clusters
    ? route.weighted_clusters.clusters.map((c) => c.name)
    : [route?.cluster];
  for (const name of targets) if (!defined(name)) problems.push(`route cluster ${name} undefined`);
}
for (const c of clusters)
  for (const name of c.cluster_type?.typed_config?.clusters ?? [])
    if (!defined(name)) problems.push(`aggregate member ${name} undefined`);
if (process.env.FAKE_ENVOY_SEEN) writeFileSync(process.env.FAKE_ENVOY_SEEN, readFileSync(config));
if (process.env.FAKE_ENVOY_SEEN_ROUTES && routesPath)
  writeFileSync(process.env.FAKE_ENVOY_SEEN_ROUTES, readFileSync(routesPath));
if (process.env.FAKE_ENVOY_REJECT === '1') problems.push('rejected on request (FAKE_ENVOY_REJECT)');
if (problems.length > 0) {
  console.error(`error initializing configuration '${config}': ${problems.join(', ')}`);
  process.exit(1);
}
console.log(`configuration '${config}' OK`);
