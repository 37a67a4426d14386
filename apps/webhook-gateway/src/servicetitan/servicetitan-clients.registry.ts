import { TenantConfig, TenantRegistry } from '@connector/config';
import { MetricNames, MetricsService } from '@connector/observability';
import { ServiceTitanClient, ServiceTitanRateLimiterRegistry } from '@connector/servicetitan';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';

/**
 * One ServiceTitan client per tenant (token cache), all taking their (app key, tenant) token bucket from this app's
 * rate limiter registry: one budget per pair in the process. Only the tenant's owner uses its client (see
 * ServiceTitanFeedsService), so the budget is one per pair across replicas too.
 */
@Injectable()
export class ServiceTitanClientsRegistry {
  private readonly logger = new Logger('servicetitan-client');
  private readonly clients = new Map<string, ServiceTitanClient>();
  /** Per app instance (not the process-wide shared one): replicas in one test process behave like processes. */
  readonly limiters = new ServiceTitanRateLimiterRegistry();
  private readonly calls;

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly env: WebhookGatewayEnv,
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
        requestTimeoutMs: this.env.ST_REQUEST_TIMEOUT_MS,
        maxRequestsPerSecond: this.env.ST_MAX_REQUESTS_PER_SECOND,
        retry: { maxRetries: this.env.ST_MAX_RETRIES },
        rateLimiterRegistry: this.limiters,
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
