import { TenantConfig } from '@connector/config';
import { MetricNames, MetricsService } from '@connector/observability';
import { authFromTenant, clientConfigFromTenant, SageX3Client, SageX3Logger } from '@connector/sage-x3';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { X3CredentialsService } from '../credentials/x3-credentials.service';
import { OperatorNotices } from '../notices/operator-notices';
import { SAGE_X3_RUNTIME_OPTIONS, SageX3RuntimeOptions } from '../sage-x3-runtime.options';
import { X3AppEnv } from '../x3-app.env';

/** A refused token request is told to the audit trail at most this often per tenant. */
const REFUSAL_NOTICE_EVERY_MS = 3_600_000;

/**
 * One Sage X3 client per tenant for the app's lifetime (token state, connection pool), with call metrics. Tenants on
 * the OAuth2 refresh_token grant keep their token set in the shared credentials topic (X3CredentialsService), so
 * every process and replica uses the same rotating refresh token and only the tenant's owner refreshes it.
 */
@Injectable()
export class SageX3ClientsRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('sage-x3-client');
  private readonly clients = new Map<string, SageX3Client>();
  private readonly lastRefusalNotice = new Map<string, number>();
  private readonly callDuration;
  private readonly calls;
  private readonly tokens;
  private readonly tokenFailures;

  constructor(
    private readonly env: X3AppEnv,
    private readonly credentials: X3CredentialsService,
    private readonly notices: OperatorNotices,
    @Inject(SAGE_X3_RUNTIME_OPTIONS) private readonly options: SageX3RuntimeOptions,
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

  /** The tenant's client; throws an X3ConfigError (naming the tenant-file path) when its X3 settings are unusable. */
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
    const log = this.logger;
    const logger: SageX3Logger = {
      debug: (message, context) => log.debug({ msg: message, tenant: tenant.id, ...context }),
      info: (message, context) => log.log({ msg: message, tenant: tenant.id, ...context }),
      warn: (message, context) => log.warn({ msg: message, tenant: tenant.id, ...context }),
      error: (message, context) => log.error({ msg: message, tenant: tenant.id, ...context }),
    };
    const shared = this.credentials.shares(tenant.id);
    const extra = this.options.client?.(this.env) ?? {};
    return new SageX3Client(
      clientConfigFromTenant(tenant, {
        auth: authFromTenant(tenant, {
          credentialStore: shared ? this.credentials.storeFor(tenant.id) : undefined,
          waitForTokenMs: this.env.X3_TOKEN_WAIT_MS,
          // Saved to connector.x3-credentials.v1 before use (the store); the value is registered with the redactor there.
          onRefreshTokenRotated: (r) =>
            log.log({
              msg: 'Sage X3 refresh token rotated; saved encrypted to the credentials topic',
              tenant: tenant.id,
              refreshTokenExpiresAt: r.expiresAt?.toISOString(),
            }),
        }),
        timeouts: { requestMs: this.env.X3_REQUEST_TIMEOUT_MS, tokenMs: this.env.X3_TOKEN_TIMEOUT_MS },
        ...(this.options.clock ? { clock: this.options.clock } : {}),
        logger,
        ...extra,
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
          onTokenFailed: (e) => {
            this.tokenFailures.inc({ system: 'sage-x3', tenant: tenant.id });
            if (e.errorName === 'AuthenticationError') void this.refused(tenant);
          },
          onCreateRecovered: (e) =>
            log.warn({ msg: 'create with unknown outcome found committed by reference', tenant: tenant.id, ...e }),
          ...extra.hooks,
        },
      }),
    );
  }

  /** The token endpoint refused the tenant's credentials: an X3 user must re-approve the app (audit notice, hourly). */
  private async refused(tenant: TenantConfig): Promise<void> {
    const now = Date.now();
    if (now - (this.lastRefusalNotice.get(tenant.id) ?? 0) < REFUSAL_NOTICE_EVERY_MS) return;
    this.lastRefusalNotice.set(tenant.id, now);
    await this.notices.publish(
      tenant.id,
      'x3-credentials-refused',
      'error',
      'The Sage X3 token endpoint refused the tenant credentials: an X3 user must re-approve the connected app, ' +
        'then seed the new refresh token with `npm run tenant -- seed-x3-refresh-token`',
      { clientId: tenant.sageX3.auth.mode === 'oauth2' ? tenant.sageX3.auth.clientId : undefined },
    );
  }
}
