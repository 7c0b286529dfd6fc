import { DEFAULT_ACCESS_LOG } from './access-log';

/**
 * What a mirroring proxy on a stable host needs to know. The service's part comes from its configuration
 * (`proxy` and `canaryStack`); the host's part (addresses, admin port, resolver) from the host's environment.
 */
export interface ProxySettings {
  readonly service: string;
  /** Address the live listener binds; nginx's `listen 80` is 0.0.0.0. */
  readonly listenAddress: string;
  readonly listenPort: number;
  /** Where the local service (the container) listens. */
  readonly upstreamAddress: string;
  readonly servicePort: number;
  /** nginx's proxy timeouts in seconds (nginx defaults: 60 each). */
  readonly connectTimeoutSeconds: number;
  readonly readTimeoutSeconds: number;
  readonly sendTimeoutSeconds: number;
  /** The canary stack's ELB. */
  readonly mirrorHost: string;
  readonly mirrorPort: number;
  /** 0.01 to 100, at most two decimals. */
  readonly mirrorPercent: number;
  /** Loopback port of the proxy's admin / readiness endpoint (`GET /ready`). */
  readonly adminPort: number;
  /** The host's access log, which the proxy keeps writing in nginx's `combined` format (hosts/access-log.ts). */
  readonly accessLog: string;
}

/** What a proxy in front of the host's own service needs, whichever proxy it is: the live listener and upstream. */
export type LiveListener =
  | 'service'
  | 'listenAddress'
  | 'listenPort'
  | 'upstreamAddress'
  | 'servicePort'
  | 'connectTimeoutSeconds';

/** Production defaults for the host's part of the settings. */
export const hostDefaults = {
  listenAddress: '0.0.0.0',
  upstreamAddress: '127.0.0.1',
  mirrorPort: 80,
  adminPort: 9901,
  accessLog: DEFAULT_ACCESS_LOG,
} as const;
