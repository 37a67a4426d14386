import {
  ServiceTitanClient,
  ServiceTitanRateLimiterRegistry,
  type ServiceTitanClientConfig,
} from '@connector/servicetitan';
import type { ServiceTitanSimulator } from './servicetitan-simulator.server';
import { DEMO_APP_KEY } from './demo-seed.fixture';

/**
 * A ServiceTitanClient wired to a running simulator for one of its tenants, for tests that are not about pacing:
 * its own bucket registry that never waits (so the test runs at full speed; start the simulator with a high
 * `rateLimitPerSecond` when it makes many calls) and no retries, so a failure surfaces at once. Override anything.
 */
export function clientForSimulator(
  sim: ServiceTitanSimulator,
  tenantId: number,
  overrides: Partial<ServiceTitanClientConfig> = {},
): ServiceTitanClient {
  const tenant = sim.tenant(tenantId);
  return new ServiceTitanClient({
    authUrl: sim.url,
    apiBaseUrl: sim.url,
    tenantId,
    appKey: DEMO_APP_KEY,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    retry: { maxRetries: 0 },
    rateLimiterRegistry: new ServiceTitanRateLimiterRegistry({ sleep: async () => undefined }),
    ...overrides,
  });
}
