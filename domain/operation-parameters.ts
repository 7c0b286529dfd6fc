import { canaryHostOf } from './canary-stack';
import { colourRulesParameter } from './colouring';
import { containerParameters } from './container-parameters';
import { formatPercent, type PlanInput } from './plan';
import { NO_LIST_PARAMETERS } from './routing-lists';
import { mirroredPercent } from './strategy';
import type { HostOperationName } from './types';

/** The host operations a service's own deploy document (`deploy.document`) runs in place of the built-in ones. */
export const CUSTOM_DEPLOYS: ReadonlySet<HostOperationName> = new Set([
  'deployCanary',
  'promote',
  'restoreStable',
  'deployIdle',
]);

/**
 * What a service's own deploy document is told: the built-in operation's image parameters and which operation it
 * stands in for; the container settings are the team's tooling's own business.
 */
export function customDeployParameters(
  input: PlanInput,
  operation: HostOperationName,
): Record<string, string> {
  const { config } = input;
  return {
    Operation: operation,
    Image: config.image.repository,
    ContainerPort: String(config.image.containerPort),
    HealthPath: config.image.healthPath,
    Version: operation === 'restoreStable' ? input.fromVersion : input.toVersion,
    PreviousVersion: input.fromVersion,
  };
}

/** What each host document is told, from the service's configuration and the release. */
export function operationParameters(input: PlanInput): Record<HostOperationName, Record<string, string>> {
  const { config } = input;
  const image = {
    Image: config.image.repository,
    ContainerPort: String(config.image.containerPort),
    HealthPath: config.image.healthPath,
    ...containerParameters(config),
  };
  const proxy = {
    ProxyDriver: config.proxy.driver,
    ListenPort: String(config.proxy.listenPort),
    ServicePort: String(config.proxy.servicePort),
    ConnectTimeout: String(config.proxy.connectTimeoutSeconds),
    ReadTimeout: String(config.proxy.readTimeoutSeconds),
    SendTimeout: String(config.proxy.sendTimeoutSeconds),
  };
  const routing = config.routing;
  return {
    deployCanary: { ...image, Version: input.toVersion },
    removeCanary: {},
    startMirror: {
      ...proxy,
      MirrorHost: canaryHostOf(config),
      MirrorPercent: formatPercent(mirroredPercent(input.strategy) ?? 0),
    },
    shiftTraffic: {
      ...proxy,
      CanaryHost: canaryHostOf(config),
      CanaryPercent: '0',
      StickyCookie: routing.stickyCookie,
      TesterHeader: routing.testerHeader,
      TesterValue: routing.testerValue,
      VipCookie: routing.vipCookie ?? '',
      VipCookieValue: routing.vipCookieValue ?? '',
      VipHeader: routing.vipHeader ?? '',
      VipHeaderValue: routing.vipHeaderValue ?? '',
      TagHeader: routing.tagHeader,
      TagValue: routing.tagValue,
      ColourRules: colourRulesParameter(routing.colouring),
      // The live lists, filled in as each step is sent (app/routing-list-effects.ts, fleetWithRoutingLists).
      ...NO_LIST_PARAMETERS,
    },
    stopMirror: proxy,
    promote: { ...image, Version: input.toVersion, PreviousVersion: input.fromVersion },
    restoreStable: { ...image, Version: input.fromVersion },
    deployIdle: { ...image, Version: input.toVersion },
    // The hook's own document is told where the release is; `Point` and `Hook` are added per hook.
    runHook: { Version: input.toVersion, PreviousVersion: input.fromVersion },
  };
}
