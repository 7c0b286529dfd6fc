// Quiet logs and no Node-version notice from the SDK, in this process (global set-up) and the forks it starts.
import './local/quiet-defaults';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The tests that need real servers or tools (DynamoDB Local on Java, nginx with the fake Docker hosts, Chromium,
 * `osls package`, wrk) or take long. Everything else is the unit tier: in memory, on loopback at most.
 */
const slow = [
  'test/adapters/release-store.test.ts', // DynamoDB Local
  'test/app/release-service-dynamo.test.ts', // DynamoDB Local
  'test/handlers/handlers*.test.ts', // DynamoDB Local
  'test/handlers/slack*.test.ts', // DynamoDB Local (slack-access and slack-revert among them)
  'test/handlers/mention-injection.test.ts', // DynamoDB Local
  'test/adapters/freeze-store.test.ts', // DynamoDB Local
  'test/adapters/start-queue-store.test.ts', // DynamoDB Local
  'test/hosts/operations*.test.ts', // nginx
  'test/hosts/container-settings.test.ts', // the fake Docker's containers and AWS CLI
  'test/hosts/custom-deploy-document.test.ts', // the fake Docker's containers
  'test/hosts/routing.test.ts', // nginx
  'test/hosts/routing-proxy-*.test.ts', // nginx
  'test/local/faulty-builds.test.ts', // nginx
  'test/hosts/handoffs.test.ts', // nginx
  'test/local/sandbox-*.test.ts', // the sandbox: DynamoDB Local and nginx
  'test/local/npm-start-signals.test.ts', // npm start: the whole sandbox
  'test/browser/**/*.test.ts', // the sandbox and Chromium
  'test/deploy/template-iam.test.ts', // osls package (about 20 s)
  'test/deploy/slack-package.test.ts', // osls package
  'test/bench/**/*.test.ts', // the bench's quick mode: DynamoDB Local, nginx and wrk
  'test/property/release-invariants*.test.ts', // 10,000 random event sequences (about 45 s)
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // `npm test` runs both projects; `npm run test:unit` runs `unit` alone, in seconds, with no server to start.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...slow],
          // `npm run test:unit` runs this project with --no-isolate: one module graph per worker, not one per file
          // (collecting is most of this tier's time). Nothing here keeps state between files but the AWS SDK class
          // mocks, which each file restores (afterAll). A per-project `isolate` would not do: the pool is shared.
          setupFiles: ['test/support/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: slow,
          setupFiles: ['test/support/setup.ts'],
          // One DynamoDB Local for this tier; a unit test that asks for it fails (test/support/dynamodb-local.ts).
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
