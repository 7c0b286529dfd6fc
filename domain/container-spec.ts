import * as z from 'zod';
import { patterns } from './patterns';

/**
 * How a service's container runs on its hosts: the image and where it is pulled from, and the settings of its
 * `docker run`. One spec deploys the canary, the idle colour of a blue/green service and every promoted host.
 * Every value here ends up in an SSM document's parameter (domain/container-parameters.ts) and, on the host, as one
 * argument of `docker run`; each is held to the strict patterns in domain/patterns.ts, which the documents'
 * `allowedPattern`s repeat.
 */

/** How a host logs in to the registry before a pull. */
export const REGISTRY_LOGINS = ['none', 'ecr-credential-helper', 'aws-cli'] as const;
export type RegistryLogin = (typeof REGISTRY_LOGINS)[number];

/** The `docker run` options a service may add, beyond the settings that have their own field. */
export const DOCKER_OPTIONS_HELP =
  '--init, --read-only, --cap-drop=NAME, --cap-add=NAME, --security-opt=no-new-privileges, --tmpfs=/path, ' +
  '--ulimit=name=soft[:hard], --shm-size=64m, --stop-timeout=N, --pids-limit=N';

/** Together, every environment variable and secret: one docker run's arguments stay well inside SSM's limits. */
export const MAX_ENVIRONMENT = 100;

export function buildImageSchema() {
  return z.strictObject({
    repository: z.string().regex(patterns.imageRepository, 'a Docker image repository without a tag'),
    containerPort: z.number().int().min(1).max(65535),
    healthPath: z.string().regex(patterns.httpPath, 'an HTTP path such as "/healthz"').default('/healthz'),
    /**
     * How the host logs in before it pulls: ECR's credential helper (configured in the host's Docker), or
     * `aws ecr get-login-password` (the host has the AWS CLI). Left out: the credential helper for an ECR
     * repository, none for any other registry.
     */
    registryLogin: z.enum(REGISTRY_LOGINS).optional(),
  });
}

export function buildContainerSchema() {
  const envName = z
    .string()
    .regex(patterns.environmentName, 'an environment variable name such as "LOG_LEVEL" (letters, digits, _)');
  const path = () =>
    z
      .string()
      .regex(patterns.containerPath, 'an absolute path of letters, digits and ._/-')
      .refine((p) => !p.split('/').includes('..'), 'no ".." in the path');
  return z
    .strictObject({
      /** Plain settings, passed as they are. For anything secret, use `secrets`. */
      environment: z
        .record(
          envName,
          z
            .string()
            .max(4096)
            .refine((v) => !/[\r\n\0]/.test(v), 'a value on one line'),
        )
        .default({}),
      /**
       * Variables read by the host when the container starts, never written into the command, its output or
       * logs: an SSM parameter (its name or ARN; SecureString is decrypted) or a Secrets Manager secret (its ARN),
       * as ECS's `valueFrom`. The host's instance role must be allowed to read them.
       */
      secrets: z
        .record(
          envName,
          z
            .string()
            .regex(
              patterns.secretReference,
              'an SSM parameter name such as "/orders-api/db-password", its ARN, or a Secrets Manager secret ARN',
            ),
        )
        .default({}),
      volumes: z
        .array(
          z.strictObject({
            /** A host path, or the name of a Docker volume. */
            source: z.union([
              path(),
              z.string().regex(patterns.volumeName, 'a host path such as "/var/lib/orders" or a volume name'),
            ]),
            target: path(),
            readOnly: z.boolean().default(false),
          }),
        )
        .max(20)
        .default([]),
      logging: z
        .strictObject({
          driver: z.string().regex(patterns.logDriver, 'a Docker log driver such as "awslogs" or "journald"'),
          options: z
            .record(
              z.string().regex(patterns.logOptionKey, 'a log option such as "awslogs-group"'),
              z.string().regex(patterns.logOptionValue, 'a value of letters, digits and _./:#-'),
            )
            .default({}),
        })
        .optional(),
      /** `name`, `uid` or `uid:gid`. */
      user: z
        .string()
        .regex(patterns.containerUser, 'a user such as "app", "1000" or "1000:1000"')
        .optional(),
      memoryMiB: z.number().int().min(6).max(1_048_576).optional(),
      cpus: z
        .number()
        .min(0.01)
        .max(256)
        .refine((n) => Number.isInteger(n * 100), 'at most two decimals, such as 0.5 or 1.25')
        .optional(),
      /**
       * Docker's own health check inside the container (`--health-cmd`): words of letters, digits and `_./:=@%+-`,
       * so that the shell Docker runs it with reads no operator. The release waits on `image.healthPath`.
       */
      healthCommand: z
        .string()
        .regex(
          patterns.healthCommand,
          'words such as "curl -fsS http://localhost:8080/healthz", no quotes or ;|&$',
        )
        .optional(),
      options: z
        .array(z.string().regex(patterns.dockerOption, `one of ${DOCKER_OPTIONS_HELP}`))
        .max(20)
        .default([]),
    })
    .refine(
      (c) => Object.keys(c.environment).length + Object.keys(c.secrets).length <= MAX_ENVIRONMENT,
      `at most ${MAX_ENVIRONMENT} environment variables and secrets together`,
    )
    .refine((c) => !Object.keys(c.secrets).some((name) => name in c.environment), {
      message: 'a name is either in environment or in secrets, not both',
      path: ['secrets'],
    });
}

/**
 * A deploy of the team's own: an SSM document run in place of the built-in Docker steps (the canary, each promoted
 * host, a restored one, the idle colour), named `<agent prefix>-custom-<document>` (docs/deploy.md).
 */
export function buildDeploySchema() {
  return z.strictObject({
    document: z.string().regex(patterns.customDocument, 'the part of the document name after "-custom-"'),
  });
}

/** What the host does before a pull of `repository`, as configured or by default. */
export function registryLoginOf(image: { repository: string; registryLogin?: RegistryLogin | undefined }) {
  return (
    image.registryLogin ?? (patterns.ecrRepository.test(image.repository) ? 'ecr-credential-helper' : 'none')
  );
}
