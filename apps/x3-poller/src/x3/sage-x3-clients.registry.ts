import { TenantConfig } from '@connector/config';
import { MetricNames, MetricsService, Redactor } from '@connector/observability';
import { clientConfigFromTenant, authFromTenant, SageX3Client } from '@connector/sage-x3';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { X3PollerEnv } from '../app/x3-poller.env';

/** One read-only Sage X3 client per tenant (token cache, connection pool), with call metrics. */
@Injectable()
export class SageX3ClientsRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('sage-x3-client');
  private readonly clients = new Map<string, SageX3Client>();
  private readonly calls;
  private readonly refreshTokenExpiry;
  private readonly tokens;
  private readonly tokenFailures;

  constructor(
    private readonly env: X3PollerEnv,
    metrics: MetricsService,
  ) {
    this.calls = metrics.counter(MetricNames.ExternalCalls, 'Retried external API calls, by system and reason', [
      'system',
      'tenant',
      'reason',
    ]);
    this.tokens = metrics.counter(MetricNames.TokenRefreshes, 'Access tokens obtained, by system and reason', [
      'system',
      'tenant',
      'reason',
    ]);
    this.tokenFailures = metrics.counter(MetricNames.TokenRefreshFailures, 'Token requests that failed, by system', [
      'system',
      'tenant',
    ]);
    this.refreshTokenExpiry = metrics.gauge(
      MetricNames.RefreshTokenExpirySeconds,
      'Seconds until the Sage X3 OAuth2 refresh token expires',
      ['tenant'],
    );
  }

  forTenant(tenant: TenantConfig): SageX3Client {
    let client = this.clients.get(tenant.id);
    if (!client) {
      client = new SageX3Client(
        clientConfigFromTenant(tenant, {
          auth: authFromTenant(tenant, {
            onRefreshTokenRotated: (r) => {
              Redactor.register(r.refreshToken);
              this.logger.warn({
                msg: 'Sage X3 refresh token rotated; kept in memory only — persist it with the tenant CLI',
                tenant: tenant.id,
              });
            },
            onRefreshTokenNearingExpiry: (daysLeft) => {
              this.refreshTokenExpiry.set({ tenant: tenant.id }, Math.round(daysLeft * 86400));
              this.logger.warn({
                msg: 'Sage X3 refresh token nears its end: an X3 user must re-authorise the app',
                tenant: tenant.id,
                daysLeft,
              });
            },
          }),
          timeouts: { requestMs: this.env.X3_REQUEST_TIMEOUT_MS },
          hooks: {
            onRetry: (e) => this.calls.inc({ system: 'sage-x3', tenant: tenant.id, reason: e.errorName.slice(0, 40) }),
            onTokenAcquired: (e) => this.tokens.inc({ system: 'sage-x3', tenant: tenant.id, reason: e.reason }),
            onTokenFailed: () => this.tokenFailures.inc({ system: 'sage-x3', tenant: tenant.id }),
          },
        }),
      );
      this.clients.set(tenant.id, client);
    }
    return client;
  }

  onApplicationShutdown(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
