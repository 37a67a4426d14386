import { TenantConfig, TenantRegistry } from '@connector/config';
import { MetricNames, MetricsService } from '@connector/observability';
import { ServiceTitanClient } from '@connector/servicetitan';
import { Injectable, Logger } from '@nestjs/common';

/** One ServiceTitan client per tenant (token cache, rate limiter), built from the tenant registry. */
@Injectable()
export class ServiceTitanClientsRegistry {
  private readonly logger = new Logger('servicetitan-client');
  private readonly clients = new Map<string, ServiceTitanClient>();
  private readonly calls;

  constructor(
    private readonly tenants: TenantRegistry,
    metrics: MetricsService,
  ) {
    this.calls = metrics.counter(MetricNames.ExternalCalls, 'Retried external API calls, by system and reason', [
      'system',
      'tenant',
      'reason',
    ]);
  }

  forTenant(tenant: TenantConfig): ServiceTitanClient {
    let client = this.clients.get(tenant.id);
    if (!client) {
      const st = tenant.servicetitan;
      const auth = new URL(st.authUrl ?? 'https://auth.servicetitan.io/connect/token');
      client = new ServiceTitanClient({
        environment: st.environment,
        authUrl: auth.origin,
        tokenPath: auth.pathname,
        apiBaseUrl: st.apiBaseUrl,
        tenantId: st.tenantId,
        appKey: st.appKey.reveal(),
        clientId: st.clientId,
        clientSecret: st.clientSecret.reveal(),
        onRetry: (e) => {
          this.calls.inc({ system: 'servicetitan', tenant: tenant.id, reason: e.reason.slice(0, 40) });
          this.logger.warn({
            msg: 'retrying ServiceTitan call',
            tenant: tenant.id,
            attempt: e.attempt,
            delayMs: e.delayMs,
            reason: e.reason,
            path: e.path,
          });
        },
      });
      this.clients.set(tenant.id, client);
    }
    return client;
  }
}
