import { TenantConfig } from '@connector/config';
import { MetricNames, MetricsService, Redactor } from '@connector/observability';
import {
  authFromTenant,
  clientConfigFromTenant,
  SageX3AuthConfig,
  SageX3Client,
  SageX3Logger,
} from '@connector/sage-x3';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { X3PosterEnv } from '../app/x3-poster.env';

/**
 * One Sage X3 client per tenant (its token cache and connection pool live as long as the app). Rotated OAuth2
 * refresh tokens are kept in memory only: persisting them into the tenants file is the tenant CLI's job, so a
 * restart after a rotation needs `npm run tenant -- set-secret … sageX3.auth.refreshToken` (warned in the log).
 */
@Injectable()
export class SageX3ClientsRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('sage-x3-client');
  private readonly clients = new Map<string, SageX3Client>();
  private readonly callDuration;
  private readonly calls;
  private readonly tokens;
  private readonly tokenFailures;

  constructor(
    private readonly env: X3PosterEnv,
    metrics: MetricsService,
  ) {
    this.callDuration = metrics.histogram(
      MetricNames.ExternalCallDuration,
      'External API call latency in seconds',
      ['system', 'tenant', 'surface', 'method', 'outcome'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.tokens = metrics.counter(MetricNames.TokenRefreshes, 'Access tokens obtained, by system and reason', [
      'system',
      'tenant',
      'reason',
    ]);
    this.tokenFailures = metrics.counter(MetricNames.TokenRefreshFailures, 'Token requests that failed, by system', [
      'system',
      'tenant',
    ]);
    this.calls = metrics.counter(MetricNames.ExternalCalls, 'Retried external API calls, by system and reason', [
      'system',
      'tenant',
      'reason',
    ]);
  }

  forTenant(tenant: TenantConfig): SageX3Client {
    let client = this.clients.get(tenant.id);
    if (!client) {
      client = this.create(tenant);
      this.clients.set(tenant.id, client);
    }
    return client;
  }

  onApplicationShutdown(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private create(tenant: TenantConfig): SageX3Client {
    const x3 = tenant.sageX3;
    const log = this.logger;
    const logger: SageX3Logger = {
      debug: (message, context) => log.debug({ msg: message, tenant: tenant.id, ...context }),
      info: (message, context) => log.log({ msg: message, tenant: tenant.id, ...context }),
      warn: (message, context) => log.warn({ msg: message, tenant: tenant.id, ...context }),
      error: (message, context) => log.error({ msg: message, tenant: tenant.id, ...context }),
    };
    return new SageX3Client(
      clientConfigFromTenant(tenant, {
        auth: this.auth(tenant),
        timeouts: { requestMs: this.env.X3_REQUEST_TIMEOUT_MS, tokenMs: this.env.X3_TOKEN_TIMEOUT_MS },
        retry: {
          maxAttempts: this.env.X3_READ_RETRY_ATTEMPTS,
          baseDelayMs: this.env.X3_READ_RETRY_BASE_DELAY_MS,
          maxDelayMs: 5000,
        },
        createRecoverySettleMs: this.env.X3_CREATE_RECOVERY_SETTLE_MS,
        // Never more sockets than posts allowed in flight (+1 for a token refresh).
        maxSockets: this.env.X3_MAX_CONCURRENT_POSTS_PER_TENANT + 1,
        logger,
        hooks: {
          onRequest: (e) =>
            this.callDuration.observe(
              {
                system: 'sage-x3',
                tenant: tenant.id,
                surface: e.surface,
                method: e.method,
                outcome: e.errorName ? 'error' : String(e.status ?? 'none'),
              },
              e.durationMs / 1000,
            ),
          onRetry: (e) => this.calls.inc({ system: 'sage-x3', tenant: tenant.id, reason: e.errorName.slice(0, 40) }),
          onTokenAcquired: (e) => this.tokens.inc({ system: 'sage-x3', tenant: tenant.id, reason: e.reason }),
          onTokenFailed: () => this.tokenFailures.inc({ system: 'sage-x3', tenant: tenant.id }),
          onCreateRecovered: (e) =>
            log.warn({ msg: 'create with unknown outcome found committed by reference', tenant: tenant.id, ...e }),
        },
      }),
    );
  }

  private auth(tenant: TenantConfig): SageX3AuthConfig {
    return authFromTenant(tenant, {
      onRefreshTokenRotated: (rotation) => {
        // Kept in the client's memory (it stays valid for this process); the new value must never reach a log.
        Redactor.register(rotation.refreshToken);
        this.logger.warn({
          msg: 'Sage X3 refresh token rotated; kept in memory only. Persist it with the tenant CLI (sageX3.auth.refreshToken) or re-authorise after a restart',
          tenant: tenant.id,
          refreshTokenExpiresAt: rotation.expiresAt?.toISOString(),
        });
      },
      onRefreshTokenNearingExpiry: (daysLeft) =>
        this.logger.warn({
          msg: 'Sage X3 refresh token nears expiry; an X3 user must re-approve the app',
          tenant: tenant.id,
          daysLeft,
        }),
    });
  }
}
