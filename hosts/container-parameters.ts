/**
 * The container settings' document parameters (domain/container-parameters.ts builds their values). Each
 * pattern is made from the domain's own (domain/patterns.ts), so whatever a configuration may hold passes, and
 * a list is those items joined by commas. Every one has an empty default: a document run by hand, or by an
 * older agent, runs the container as before.
 */
import { REGISTRY_LOGINS } from '../domain/container-spec';
import { patterns } from '../domain/patterns';

export interface OptionalParameterSpec {
  readonly description: string;
  readonly allowedPattern: string;
  readonly minChars: number;
  readonly maxChars: number;
  readonly default: string;
}

/** A domain pattern without its anchors, to be part of a larger one. */
const item = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');
const list = (one: string) => `^(?:${one}(?:,${one})*)?$`;
const optional = (pattern: RegExp) => `^(?:${item(pattern)})?$`;
const spec = (description: string, allowedPattern: string, maxChars: number): OptionalParameterSpec => ({
  description,
  allowedPattern,
  minChars: 0,
  maxChars,
  default: '',
});

const env = item(patterns.environmentName);
/** One word of domain/patterns.ts healthCommand. */
const HEALTH_WORD = '[A-Za-z0-9_./:=@%+-]{1,256}';
const volumeSource = `(?:${item(patterns.containerPath)}|${item(patterns.volumeName)})`;

export const containerParameterSpecs = {
  RegistryLogin: {
    ...spec(
      'How the host logs in before a pull: none, ecr-credential-helper or aws-cli (aws ecr get-login-password)',
      `^(?:${REGISTRY_LOGINS.join('|')})$`,
      21,
    ),
    default: 'none',
  },
  Environment: spec(
    'Environment variables: NAME=base64(value), comma-separated',
    list(`${env}=[A-Za-z0-9+/]*={0,2}`),
    16_384,
  ),
  Secrets: spec(
    'Variables the host reads when the container starts: NAME=SSM parameter or Secrets Manager ARN, comma-separated',
    list(`${env}=${item(patterns.secretReference)}`),
    16_384,
  ),
  Volumes: spec(
    'Mounts: source:target:ro or source:target:rw, comma-separated',
    list(`${volumeSource}:${item(patterns.containerPath)}:(?:ro|rw)`),
    10_240,
  ),
  LogDriver: spec('Docker log driver, e.g. awslogs', optional(patterns.logDriver), 64),
  LogOptions: spec(
    'Log driver options: key=value, comma-separated',
    list(`${item(patterns.logOptionKey)}=${item(patterns.logOptionValue)}`),
    8192,
  ),
  ContainerUser: spec(
    'User the container runs as: name, uid or uid:gid',
    optional(patterns.containerUser),
    65,
  ),
  Memory: spec('Memory limit in MiB', '^(?:[1-9][0-9]{0,6})?$', 7),
  Cpus: spec('CPU limit, e.g. 0.5', '^(?:[0-9]{1,3}(?:\\.[0-9]{1,2})?)?$', 6),
  HealthCommand: spec(
    "Docker's health check command inside the container, its words comma-separated",
    list(HEALTH_WORD),
    8192,
  ),
  DockerOptions: spec(
    'Further docker run options from the allowed list, comma-separated',
    list(item(patterns.dockerOption)),
    4096,
  ),
} as const satisfies Record<string, OptionalParameterSpec>;

export const containerParameterNames = Object.keys(
  containerParameterSpecs,
) as (keyof typeof containerParameterSpecs)[];
