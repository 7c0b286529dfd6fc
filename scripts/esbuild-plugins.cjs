// esbuild plugins for `npm run package` (serverless-esbuild `plugins`) and bench/aws.bench.ts.
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

module.exports = [zodWithoutLocales, boltLambdaOnly, lambdaCredentialsFromEnv];
