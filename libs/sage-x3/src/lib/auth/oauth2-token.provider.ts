import { Clock } from '../clock';
import { HttpTransport } from '../http-transport';
import { SageX3Hooks, SageX3Logger, SageX3OAuth2Auth } from '../sage-x3.config';
import { AuthenticationError, X3HttpError, X3ProtocolError } from '../sage-x3.errors';
import { AuthProvider } from './auth-provider';

const DAY_MS = 86_400_000;
const REJECTION_CODES = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
]);

export interface OAuth2Deps {
  transport: HttpTransport;
  clock: Clock;
  logger: SageX3Logger;
  hooks: SageX3Hooks;
  timeoutMs: number;
}

/**
 * OAuth2 access tokens for Sage X3 cloud. Refreshes proactively `refreshMarginSeconds` before expiry (so calls
 * never hit an expired token), single flight (concurrent callers share one token request, which matters because
 * refresh tokens rotate: two parallel refreshes would invalidate each other), hands every rotated refresh token
 * to the persist callback, and warns as the 30-day refresh token approaches its end.
 */
export class OAuth2TokenProvider implements AuthProvider {
  readonly mode = 'oauth2' as const;
  private access?: { header: string; expiresAt: number; lifetimeMs: number };
  private inflight?: Promise<string>;
  private refreshToken?: string;
  private refreshTokenExpiresAt?: number;
  private nextReason: 'initial' | 'proactive' | 'unauthorized' = 'initial';
  private lastWarnAt?: number;
  private readonly marginMs: number;
  private readonly warnDays: number;

  constructor(
    private readonly config: SageX3OAuth2Auth,
    private readonly deps: OAuth2Deps,
  ) {
    this.refreshToken = config.refreshToken;
    if (config.refreshTokenExpiresAt !== undefined) {
      const ms = new Date(config.refreshTokenExpiresAt).getTime();
      if (Number.isFinite(ms)) this.refreshTokenExpiresAt = ms;
    }
    this.marginMs = (config.refreshMarginSeconds ?? 60) * 1000;
    this.warnDays = config.refreshTokenWarnDays ?? 7;
  }

  async authorization(): Promise<string> {
    const access = this.access;
    if (access && this.deps.clock.now() < access.expiresAt - Math.min(this.marginMs, access.lifetimeMs / 2)) {
      return access.header;
    }
    if (!this.inflight) {
      const reason = access ? 'proactive' : this.nextReason;
      this.inflight = this.requestToken(reason).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  handleUnauthorized(usedAuthorization: string): boolean {
    if (this.access?.header === usedAuthorization) {
      this.access = undefined;
      this.nextReason = 'unauthorized';
    }
    return true;
  }

  describe(): string {
    return `OAuth2 client '${this.config.clientId}'`;
  }

  /** When the current refresh token expires, if known (gauge for "days until re-authorisation"). */
  getRefreshTokenExpiresAt(): Date | undefined {
    return this.refreshTokenExpiresAt === undefined ? undefined : new Date(this.refreshTokenExpiresAt);
  }

  private async requestToken(reason: 'initial' | 'proactive' | 'unauthorized'): Promise<string> {
    const form = new URLSearchParams();
    if (this.config.grant === 'refresh_token') {
      if (!this.refreshToken) throw new AuthenticationError(`${this.describe()}: no refresh token available`);
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', this.refreshToken);
    } else {
      form.set('grant_type', 'client_credentials');
    }
    form.set('client_id', this.config.clientId);
    form.set('client_secret', this.config.clientSecret);
    if (this.config.scope) form.set('scope', this.config.scope);

    const startedAt = this.deps.clock.now();
    const wallStart = Date.now();
    let status: number | undefined;
    try {
      const res = await this.deps.transport.request({
        method: 'POST',
        url: new URL(this.config.tokenUrl),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        timeoutMs: this.deps.timeoutMs,
      });
      status = res.status;
      const body = parseJsonObject(res.body);
      if (res.status !== 200) throw this.tokenError(res.status, body, res.body);
      const accessToken = body?.['access_token'];
      if (typeof accessToken !== 'string' || !accessToken) {
        throw new X3ProtocolError(`${this.describe()}: token endpoint answered without access_token`, {
          status: res.status,
        });
      }
      const expiresInSec = toSeconds(body?.['expires_in']) ?? 300;
      // Expiry counted from when we asked, not when the answer arrived: errs on the early side.
      this.access = {
        header: `Bearer ${accessToken}`,
        expiresAt: startedAt + expiresInSec * 1000,
        lifetimeMs: expiresInSec * 1000,
      };
      this.nextReason = 'proactive';
      this.deps.hooks.onTokenAcquired?.({ mode: 'oauth2', reason, grant: this.config.grant });
      await this.handleRotation(body, startedAt);
      this.checkRefreshTokenExpiry();
      return this.access.header;
    } catch (e) {
      this.deps.hooks.onTokenFailed?.({ mode: 'oauth2', reason, errorName: (e as Error).name });
      throw e;
    } finally {
      this.deps.hooks.onRequest?.({ surface: 'token', method: 'POST', status, durationMs: Date.now() - wallStart });
    }
  }

  private async handleRotation(body: Record<string, unknown> | undefined, startedAt: number): Promise<void> {
    const newRefresh = body?.['refresh_token'];
    if (typeof newRefresh !== 'string' || !newRefresh || newRefresh === this.refreshToken) return;
    this.refreshToken = newRefresh;
    const lifetime = toSeconds(body?.['refresh_token_expires_in']);
    // Without an explicit lifetime we keep the previous expiry: warning early beats silently expiring.
    if (lifetime !== undefined) this.refreshTokenExpiresAt = startedAt + lifetime * 1000;
    const callback = this.config.onRefreshTokenRotated;
    if (!callback) {
      if (this.config.grant === 'refresh_token') {
        this.deps.logger.warn(
          `${this.describe()}: refresh token rotated but no onRefreshTokenRotated callback persists it`,
        );
      }
      return;
    }
    try {
      await callback({ refreshToken: newRefresh, expiresAt: this.getRefreshTokenExpiresAt() });
    } catch (error) {
      // The in-memory token stays valid; a restart before the next successful persist would need re-authorisation.
      this.deps.logger.error?.(`${this.describe()}: persisting the rotated refresh token failed`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private checkRefreshTokenExpiry(): void {
    if (this.config.grant !== 'refresh_token' || this.refreshTokenExpiresAt === undefined) return;
    const now = this.deps.clock.now();
    const daysLeft = (this.refreshTokenExpiresAt - now) / DAY_MS;
    if (daysLeft > this.warnDays) return;
    this.config.onRefreshTokenNearingExpiry?.(daysLeft);
    // Log at most hourly; the hook above is the per-refresh gauge.
    if (this.lastWarnAt !== undefined && now - this.lastWarnAt < 3_600_000) return;
    this.lastWarnAt = now;
    this.deps.logger.warn(
      `${this.describe()}: the Sage X3 refresh token expires in ${daysLeft.toFixed(1)} days ` +
        `(${new Date(this.refreshTokenExpiresAt).toISOString()}); an X3 user must re-authorise the connected app before then`,
      { clientId: this.config.clientId, daysLeft },
    );
  }

  private tokenError(status: number, body: Record<string, unknown> | undefined, raw: string): Error {
    const code = typeof body?.['error'] === 'string' ? body['error'] : undefined;
    const description =
      typeof body?.['error_description'] === 'string' ? ` - ${body['error_description'].slice(0, 200)}` : '';
    if (status >= 500 || status === 429) {
      return new X3HttpError(`${this.describe()}: token endpoint unavailable (HTTP ${status})`, {
        transient: true,
        status,
        bodySnippet: raw.slice(0, 300),
      });
    }
    const hint =
      code === 'invalid_grant'
        ? 'the refresh token is expired, revoked or was already used; an X3 user must re-authorise the connected app'
        : code === 'invalid_client'
          ? 'wrong client id or client secret'
          : 'check the OAuth2 configuration';
    if (code && !REJECTION_CODES.has(code) && status !== 400 && status !== 401) {
      return new AuthenticationError(
        `${this.describe()}: token request refused (HTTP ${status}, ${code})${description}`,
        status,
      );
    }
    return new AuthenticationError(
      `${this.describe()}: token request refused (HTTP ${status}${code ? `, ${code}` : ''}): ${hint}${description}`,
      status,
    );
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toSeconds(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
