import { TenantConfig, TenantRegistry } from '@connector/config';
import { RecurringJobs } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SageX3ClientsRegistry } from '../clients/sage-x3-clients.registry';
import { OperatorNotices } from '../notices/operator-notices';
import { X3AppEnv } from '../x3-app.env';
import { X3CredentialsService } from './x3-credentials.service';

const DAY_MS = 86_400_000;

/**
 * Keeps the shared OAuth2 credentials supplied and watched, on one recurring job per process:
 * - the tenant's owner renews the access token before it runs out (`refreshCredentialsIfDue`), so the processes
 *   that only read the shared token never run dry while the owner is idle;
 * - every process reports the refresh token's remaining life (`connector_refresh_token_expiry_seconds`, alerted on);
 * - within the tenant's warning window, the owner tells the audit trail once a day
 *   (`x3-refresh-token-expiring` notice): an X3 user must re-approve the app before the date.
 */
@Injectable()
export class X3CredentialsRefresher implements OnApplicationBootstrap {
  private readonly logger = new Logger('x3-credentials');
  private readonly expiry;
  private readonly lastExpiryNotice = new Map<string, number>();
  private readonly lastFailureLog = new Map<string, { text: string; at: number }>();

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly clients: SageX3ClientsRegistry,
    private readonly credentials: X3CredentialsService,
    private readonly notices: OperatorNotices,
    private readonly jobs: RecurringJobs,
    private readonly env: X3AppEnv,
    metrics: MetricsService,
  ) {
    this.expiry = metrics.gauge(
      MetricNames.RefreshTokenExpirySeconds,
      'Seconds until the OAuth2 refresh token expires (an X3 user must re-approve the app before)',
      ['system', 'tenant'],
    );
  }

  onApplicationBootstrap(): void {
    const shared = this.tenants.list().filter((t) => this.credentials.shares(t.id));
    if (!shared.length) return;
    const every = this.env.X3_CREDENTIALS_CHECK_INTERVAL_MS;
    this.jobs.every('x3-credentials', { firstAfterMs: Math.min(every, 1000), everyMs: every }, async () => {
      if (!this.credentials.isReady()) return;
      for (const tenant of shared) await this.tick(tenant);
    });
  }

  /** One tenant: renew when due (owner only), then the expiry gauge and, near the end, the notice. */
  async tick(tenant: TenantConfig): Promise<void> {
    let client;
    try {
      client = this.clients.forTenant(tenant);
    } catch {
      return; // unusable X3 settings: reported by the field check
    }
    if (this.credentials.mayRefresh(tenant.id)) {
      try {
        await client.refreshCredentialsIfDue();
      } catch (e) {
        // Counted and, when refused, told to the audit trail by the client hooks; tried again next tick. The same
        // failure is logged once a minute, not on every tick.
        const text = (e as Error).message;
        const last = this.lastFailureLog.get(tenant.id);
        if (!last || last.text !== text || Date.now() - last.at > 60_000) {
          this.lastFailureLog.set(tenant.id, { text, at: Date.now() });
          this.logger.warn({ msg: 'Sage X3 credentials not renewed', tenant: tenant.id, err: e as Error });
        }
      }
    }
    const status = client.credentialsStatus();
    const expiresAt = status?.refreshTokenExpiresAt;
    if (!expiresAt || status.refreshTokenDaysLeft === undefined) return;
    // The client's clock (a simulator's in tests) decides how much is left.
    const left = status.refreshTokenDaysLeft * DAY_MS;
    this.expiry.set({ system: 'sage-x3', tenant: tenant.id }, Math.round(left / 1000));
    const auth = tenant.sageX3.auth;
    const warnDays = auth.mode === 'oauth2' ? auth.refreshTokenWarnDays : 7;
    if (left / DAY_MS > warnDays || !this.credentials.isOwner(tenant.id)) return;
    const last = this.lastExpiryNotice.get(tenant.id);
    if (last !== undefined && Date.now() - last < DAY_MS) return;
    this.lastExpiryNotice.set(tenant.id, Date.now());
    const daysLeft = Math.max(0, Math.floor((left / DAY_MS) * 10) / 10);
    await this.notices.publish(
      tenant.id,
      'x3-refresh-token-expiring',
      left > 0 ? 'warning' : 'error',
      `The Sage X3 refresh token expires in ${daysLeft} days (${expiresAt.toISOString()}): an X3 user must ` +
        're-approve the connected app, then seed the new token with `npm run tenant -- seed-x3-refresh-token`',
      { daysLeft, expiresAt: expiresAt.toISOString(), source: status.refreshTokenExpirySource ?? null },
    );
  }
}
