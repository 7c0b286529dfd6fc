// esbuild plugins for `npm run package` (serverless-esbuild `plugins`) and bench/aws.bench.ts.
const fs = require('node:fs');
const path = require('node:path');

// zod's `z` namespace re-exports every locale (~200 KB minified) although the agent only uses English,
// which zod loads separately: resolve the locale index to an empty module to keep each bundle under 1 MB.
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

// zod's JSON Schema generation (`.toJSONSchema()`, the `jsonSchema` of `~standard`, and the getters such as
// `.minLength` that share its code) is about 17 KB that every function compiles at load and no code of the agent
// calls. Those two modules resolve to functions that say so when called; `~standard` can still be read.
const ZOD_JSON_SCHEMA = /(?:^|\/)(?:to-json-schema|json-schema-processors)\.js$/;
const zodWithoutJsonSchema = {
  name: 'zod-without-json-schema',
  setup(build) {
    build.onResolve({ filter: ZOD_JSON_SCHEMA }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: path.join(args.resolveDir, args.path), namespace: 'zod-json-schema' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-json-schema' }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const declared = [...source.matchAll(/^export (?:function|const|let|var|class) ([\w$]+)/gm)].map(
        (m) => m[1],
      );
      const listed = [...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) =>
        m[1].split(',').map((name) =>
          name
            .trim()
            .split(/\s+as\s+/)
            .pop(),
        ),
      );
      const names = [...new Set([...declared, ...listed])].filter(Boolean);
      const refuse = `() => { throw new Error('zod JSON Schema is not bundled in the Lambda functions (scripts/esbuild-plugins.cjs)'); }`;
      return {
        contents: `const refuse = ${refuse};\n${names
          .map(
            (name) => `export const ${name} = ${/^create\w*Method$/.test(name) ? '() => refuse' : 'refuse'};`,
          )
          .join('\n')}`,
        loader: 'js',
      };
    });
  },
};

// Bolt's entry points load every receiver, and with them Express, Socket Mode (undici), OAuth and raw-body
// (iconv-lite): about 1.4 MB that the Lambda function never runs, since it always passes its own
// AwsLambdaReceiver. They resolve to a module whose classes say so if anyone constructs them.
const BOLT_UNUSED =
  /^(?:\.\/receivers\/(?:HTTP|SocketMode|Express)Receiver|\.\/(?:HTTP|SocketMode|Express)Receiver|@slack\/oauth|@slack\/socket-mode|raw-body)$/;
const boltLambdaOnly = {
  name: 'bolt-lambda-only',
  setup(build) {
    build.onResolve({ filter: BOLT_UNUSED }, (args) =>
      /[\\/]@slack[\\/]bolt[\\/]/.test(args.importer)
        ? { path: args.path, namespace: 'bolt-unbundled' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'bolt-unbundled' }, (args) => ({
      contents: `class Unbundled { constructor() { throw new Error(${JSON.stringify(
        `${args.path} is not bundled in this Lambda package: pass Bolt an AwsLambdaReceiver`,
      )}); } }
module.exports = new Proxy({ __esModule: true, default: Unbundled }, {
  get: (target, key) => (key in target ? target[key] : Unbundled),
});`,
      loader: 'js',
    }));
  },
};

// The agent's Lambda code uses three things of Bolt (handlers/slack/bolt-app.ts). Bolt's index also loads
// @slack/types, the assistant, workflow and custom-route helpers and the other receivers' functions, CommonJS
// modules evaluated at load (about 18 KB, 2 ms of the Slack function's cold start). `@slack/bolt` imported from
// the agent's own code resolves to those three; importing any other name from it fails the build (no matching
// export), rather than giving undefined.
const boltDir = path.dirname(require.resolve('@slack/bolt/package.json'));
const boltThreeNames = {
  name: 'bolt-three-names',
  setup(build) {
    build.onResolve({ filter: /^@slack\/bolt$/ }, (args) =>
      /[\\/]node_modules[\\/]/.test(args.importer)
        ? undefined
        : { path: args.path, namespace: 'bolt-three-names' },
    );
    build.onLoad({ filter: /.*/, namespace: 'bolt-three-names' }, () => ({
      contents: `export const App = require('@slack/bolt/dist/App.js').default;
export const AwsLambdaReceiver = require('@slack/bolt/dist/receivers/AwsLambdaReceiver.js').default;
export const LogLevel = require('@slack/logger').LogLevel;`,
      loader: 'js',
      resolveDir: boltDir,
    }));
  },
};

// On Lambda the credentials are always in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, set by the runtime), which the SDK's default chain tries first. The rest of the chain
// (SSO, profiles, processes, web identity, container and instance metadata) and the STS and SSO clients they
// bring (about 90 KB a bundle) never run there: they resolve to providers that pass on to the next link.
const CREDENTIAL_PROVIDERS_UNUSED =
  /^@aws-sdk\/credential-provider-(?:sso|ini|process|web-identity|http)$|^@smithy\/credential-provider-imds$/;
const lambdaCredentialsFromEnv = {
  name: 'lambda-credentials-from-env',
  setup(build) {
    build.onResolve({ filter: CREDENTIAL_PROVIDERS_UNUSED }, (args) =>
      /[\\/]@aws-sdk[\\/]credential-provider-node[\\/]/.test(args.importer)
        ? { path: args.path, namespace: 'credentials-unbundled' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'credentials-unbundled' }, (args) => ({
      contents: `const skip = () => async () => {
  throw Object.assign(new Error(${JSON.stringify(`${args.path} is not bundled: on Lambda the credentials come from the environment`)}), { name: 'CredentialsProviderError', tryNextLink: true });
};
export const fromSSO = skip, fromIni = skip, fromProcess = skip, fromTokenFile = skip, fromHttp = skip;
export const fromContainerMetadata = skip, fromInstanceMetadata = skip;
export const ENV_CMDS_FULL_URI = 'AWS_CONTAINER_CREDENTIALS_FULL_URI', ENV_CMDS_RELATIVE_URI = 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI';`,
      loader: 'js',
    }));
  },
};

// `import { env } from 'node:process'` (the SDK's user agent does it) makes Node build an ES module facade of
// `process` that reads every property, getters included (the standard streams, the diagnostic report…): about
// 2 ms of a cold start. The bundle takes the same object, the global `process`, instead.
const processWithoutFacade = {
  name: 'process-without-facade',
  setup(build) {
    build.onResolve({ filter: /^(?:node:)?process$/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'process-global' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'process-global' }, () => ({
      contents: 'module.exports = process;',
      loader: 'js',
    }));
  },
};

// The Slack function's cold start is part of a person's wait (Slack wants an answer within 3 s). What it loads
// only on first use (handlers/slack/invokers.ts with the Lambda client, the stored release shapes, the SDK's event
// streams) goes into chunks of its own, loaded by `import()`. In one file that code would be compiled with the rest
// at load, and every module it shares with the rest wrapped for lazy evaluation: about 15 ms of the cold start
// (bench/cold-start.ts). serverless-esbuild builds each function into the same directory and leaves a file out of
// a function's zip when its name starts with another function's bundle name and a dot (as `slack.mjs.map` does):
// chunks named `slack.…` go into slack.zip alone (test/deploy/slack-package.test.ts).
const SLACK_ENTRY = /(?:^|[\\/])handlers[\\/]slack\.ts$/;
const splitSlackChunks = {
  name: 'split-slack-chunks',
  setup(build) {
    const options = build.initialOptions;
    const entries = Array.isArray(options.entryPoints) ? options.entryPoints : [];
    const names = entries.map((entry) => (typeof entry === 'string' ? entry : entry.in));
    if (names.length !== 1 || !SLACK_ENTRY.test(names[0])) return;
    options.splitting = true;
    options.chunkNames = 'slack.[name]-[hash]';
  },
};

module.exports = [
  zodWithoutLocales,
  zodWithoutJsonSchema,
  boltLambdaOnly,
  boltThreeNames,
  lambdaCredentialsFromEnv,
  processWithoutFacade,
  splitSlackChunks,
];
