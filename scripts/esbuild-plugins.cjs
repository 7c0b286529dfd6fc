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

module.exports = [zodWithoutLocales];
