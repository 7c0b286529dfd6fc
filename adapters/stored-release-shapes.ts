/**
 * The stored shapes of releases, history entries and outbox effects (release-schema.ts and the schemas it is made
 * of), built on first use rather than when a function loads: about a hundred zod schemas, some 8 ms of a cold
 * start that a Slack request reading no release (the status of an idle service, help) need not pay. Bundled into
 * the same file, the module is only evaluated at the first call (esbuild's lazy initialisation of a module that
 * is only imported dynamically): nothing may import release-schema.ts statically but this.
 */
export function storedReleaseShapes(): Promise<typeof import('./release-schema')> {
  loading ??= import('./release-schema');
  return loading;
}
let loading: Promise<typeof import('./release-schema')> | undefined;
