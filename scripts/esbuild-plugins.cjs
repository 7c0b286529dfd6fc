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

module.exports = [zodWithoutLocales, boltLambdaOnly];
