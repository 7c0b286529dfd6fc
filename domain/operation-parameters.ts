import { formatPercent, type PlanInput } from './plan';
import type { HostOperationName } from './types';

/** What each host document is told, from the service's configuration and the release. */
export function operationParameters(input: PlanInput): Record<HostOperationName, Record<string, string>> {
  const { config } = input;
  const image = {
    Image: config.image.repository,
    ContainerPort: String(config.image.containerPort),
    HealthPath: config.image.healthPath,
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
      MirrorHost: config.canaryStack.elbHost,
      MirrorPercent: formatPercent(input.strategy.kind === 'mirror' ? input.strategy.percent : 0),
    },
    shiftTraffic: {
      ...proxy,
      CanaryHost: config.canaryStack.elbHost,
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
    },
    stopMirror: proxy,
    promote: { ...image, Version: input.toVersion, PreviousVersion: input.fromVersion },
    restoreStable: { ...image, Version: input.fromVersion },
    deployIdle: { ...image, Version: input.toVersion },
  };
}
