// The subset of the AWS CLI the host scripts call, over a state directory (FAKE_AWS_DIR, or FAKE_DOCKER_DIR/../aws):
// parameters.json and secrets.json map a name or ARN to its value; a name not there fails as the service answers
// (ParameterNotFound, ResourceNotFoundException). `ecr get-login-password` prints the password in ecr-password
// (or a fixed one). Every call's arguments are appended to calls.log, so a test can show no secret was one.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const dir = process.env.FAKE_AWS_DIR ?? join(dirname(process.env.FAKE_DOCKER_DIR ?? '.'), 'aws');
const args = process.argv.slice(2);
if (existsSync(dir)) appendFileSync(join(dir, 'calls.log'), `${JSON.stringify(args)}\n`);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const store = (file) =>
  existsSync(join(dir, file)) ? JSON.parse(readFileSync(join(dir, file), 'utf8')) : {};
function die(message, code = 254) {
  process.stderr.write(`\n${message}\n`);
  process.exit(code);
}
if (option('--output') !== undefined && option('--output') !== 'text') die('fake aws: only --output text');

const [service, operation] = args;
if (service === 'ssm' && operation === 'get-parameter') {
  const name = option('--name');
  if (option('--query') !== 'Parameter.Value') die('fake aws: --query Parameter.Value only');
  const value = store('parameters.json')[name];
  if (value === undefined)
    die('An error occurred (ParameterNotFound) when calling the GetParameter operation: ');
  process.stdout.write(`${value}\n`);
} else if (service === 'secretsmanager' && operation === 'get-secret-value') {
  const id = option('--secret-id');
  if (option('--query') !== 'SecretString') die('fake aws: --query SecretString only');
  const value = store('secrets.json')[id];
  if (value === undefined)
    die(
      "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret.",
    );
  process.stdout.write(`${value}\n`);
} else if (service === 'ecr' && operation === 'get-login-password') {
  if (!option('--region')) die('You must specify a region.');
  const file = join(dir, 'ecr-password');
  process.stdout.write(`${existsSync(file) ? readFileSync(file, 'utf8').trim() : 'fake-ecr-password'}\n`);
} else {
  die(`fake aws: unsupported ${args.join(' ')}`, 252);
}
