import { Clock } from '../clock';
import { HttpTransport } from '../http-transport';
import { SageX3Hooks, SageX3Logger, SageX3OAuth2Auth, X3TokenReason } from '../sage-x3.config';
import { AuthenticationError, X3CredentialsUnavailableError, X3HttpError, X3ProtocolError } from '../sage-x3.errors';
import { AuthProvider } from './auth-provider';
import {
  InMemoryX3CredentialStore,
  X3CredentialConflictError,
  X3CredentialStore,
  X3TokenSet,
} from './credential-store';

const DAY_MS = 86_400_000;
const DEFAULT_REFRESH_LIFETIME_S = 30 * 86_400;
/** A process that waits for the refresher stops using an access token this close to its expiry. */
const WAITER_SKEW_MS = 5_000;
/** A waiting process checks this often whether it has become the one that may refresh. */
const WAIT_SLICE_MS = 250;
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

/** What the connector knows about the tenant's OAuth2 credentials (for gauges and `check`; no secrets). */
export interface X3CredentialsStatus {
  grant: 'client_credentials' | 'refresh_token';
  generation?: number;
  accessTokenExpiresAt?: Date;
  refreshTokenExpiresAt?: Date;
  refreshTokenExpirySource?: X3TokenSet['refreshTokenExpirySource'];
  /** Days until the refresh token expires (fractional), when known. */
  refreshTokenDaysLeft?: number;
  mayRefresh: boolean;
}

/** `exp` (epoch seconds) of a JWT, read without verifying the signature (the token is X3's, not ours). */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = claims && typeof claims === 'object' ? (claims as Record<string, unknown>)['exp'] : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * OAuth2 access tokens for Sage X3 cloud, from and to a credential store shared by every process of the tenant.
 * The process allowed to refresh does it proactively `refreshMarginSeconds` before expiry, single flight, and saves
 * the rotated token set (next generation) before using it; the others use the stored access token and, when it
 * runs out, wait for the refresher's next generation. A refresh token refused with `invalid_grant` is never sent
 * again: only a newer token from the store (another process's rotation, or a re-authorisation seeded by the CLI)
 * is tried.
 */
export class OAuth2TokenProvider implements AuthProvider {
  readonly mode = 'oauth2' as const;
  readonly store: X3CredentialStore;
  private inflight?: Promise<string>;
  /** An access token X3 answered 401 to: not used again. */
  private rejectedAccess?: string;
  /** Refresh tokens refused with invalid_grant: never sent again. */
  private readonly deadRefreshTokens = new Set<string>();
  /** A token set saved by us but refused by the store (conflict twice): still valid for this process's calls. */
  private localOnly?: X3TokenSet;
  private nextReason: X3TokenReason = 'initial';
  private lastWarnAt?: number;
  private readonly marginMs: number;
  private readonly warnDays: number;
  private readonly waitMs: number;
  private readonly lifetimeS: number;

  constructor(
    private readonly config: SageX3OAuth2Auth,
    private readonly deps: OAuth2Deps,
  ) {
    this.marginMs = (config.refreshMarginSeconds ?? 60) * 1000;
    this.warnDays = config.refreshTokenWarnDays ?? 7;
    this.waitMs = config.waitForTokenMs ?? 10_000;
    this.lifetimeS = config.refreshTokenLifetimeSeconds ?? DEFAULT_REFRESH_LIFETIME_S;
    this.store = config.credentialStore ?? new InMemoryX3CredentialStore(this.seedFromConfig());
  }

  async authorization(): Promise<string> {
    const tokens = this.latest();
    if (this.usable(tokens, this.store.mayRefresh())) return bearer(tokens);
    if (!this.inflight) {
      this.inflight = this.obtain().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  handleUnauthorized(usedAuthorization: string): boolean {
    const tokens = this.latest();
    if (tokens?.accessToken && bearer(tokens) === usedAuthorization) {
      this.rejectedAccess = tokens.accessToken;
      this.nextReason = 'unauthorized';
    }
    return true;
  }

  describe(): string {
    return `OAuth2 client '${this.config.clientId}'`;
  }

  /**
   * For the refresher's scheduler: refreshes when the access token is within the margin (or missing), so the
   * processes that wait get a new token even while this one is idle. Returns whether it refreshed.
   */
  async refreshIfDue(): Promise<boolean> {
    if (!this.store.mayRefresh()) return false;
    const tokens = this.latest();
    if (this.usable(tokens, true)) {
      this.checkRefreshTokenExpiry(tokens);
      return false;
    }
    await this.authorization();
    return true;
  }

  status(): X3CredentialsStatus {
    const t = this.latest();
    const exp = t?.refreshTokenExpiresAt;
    return {
      grant: this.config.grant,
      generation: t?.generation,
      accessTokenExpiresAt: t?.accessTokenExpiresAt === undefined ? undefined : new Date(t.accessTokenExpiresAt),
      refreshTokenExpiresAt: exp === undefined ? undefined : new Date(exp),
      refreshTokenExpirySource: t?.refreshTokenExpirySource,
      refreshTokenDaysLeft: exp === undefined ? undefined : (exp - this.deps.clock.now()) / DAY_MS,
      mayRefresh: this.store.mayRefresh(),
    };
  }

  // ------------------------------------------------------------------ internals

  private seedFromConfig(): X3TokenSet | undefined {
    if (!this.config.refreshToken) return undefined;
    const now = this.deps.clock.now();
    const given =
      this.config.refreshTokenExpiresAt === undefined ? NaN : new Date(this.config.refreshTokenExpiresAt).getTime();
    const expiry = Number.isFinite(given)
      ? { at: given, source: 'seeded' as const }
      : this.refreshExpiry(this.config.refreshToken, undefined, now, undefined);
    return {
      refreshToken: this.config.refreshToken,
      refreshTokenExpiresAt: expiry.at,
      refreshTokenExpirySource: expiry.source,
      generation: 0,
      updatedAt: now,
    };
  }

  /** The store's set, unless ours (kept after a lost save race) is newer. */
  private latest(): X3TokenSet | undefined {
    const stored = this.store.current();
    const local = this.localOnly;
    if (local && (!stored || local.generation >= stored.generation)) return local;
    this.localOnly = undefined;
    return stored;
  }

  /** The refresher renews `marginMs` early; a waiting process keeps using the token until just before expiry. */
  private usable(t: X3TokenSet | undefined, refresher: boolean): t is X3TokenSet & { accessToken: string } {
    if (!t?.accessToken || t.accessTokenExpiresAt === undefined || t.accessToken === this.rejectedAccess) return false;
    const lifetime = Math.max(0, t.accessTokenExpiresAt - t.updatedAt);
    const early = refresher ? Math.min(this.marginMs, lifetime / 2) : Math.min(WAITER_SKEW_MS, lifetime / 10);
    return this.deps.clock.now() < t.accessTokenExpiresAt - early;
  }

  private async obtain(): Promise<string> {
    const tokens = this.latest();
    if (!this.store.mayRefresh()) return this.waitForRefresher(tokens);
    if (this.usable(tokens, true)) return bearer(tokens);
    const reason = tokens?.accessToken && this.nextReason !== 'unauthorized' ? 'proactive' : this.nextReason;
    return this.refresh(tokens, reason);
  }

  private async waitForRefresher(from: X3TokenSet | undefined): Promise<string> {
    const started = Date.now();
    let generation = from?.generation;
    for (;;) {
      const remaining = this.waitMs - (Date.now() - started);
      // In slices: this process may become the refresher meanwhile (ownership moved to it), and then it refreshes
      // instead of waiting for itself.
      const newer =
        remaining > 0 ? await this.store.waitForNewer(generation, Math.min(remaining, WAIT_SLICE_MS)) : undefined;
      if (!newer && this.store.mayRefresh()) {
        const latest = this.latest();
        if (this.usable(latest, true)) return bearer(latest);
        return this.refresh(
          latest,
          latest?.accessToken && this.nextReason !== 'unauthorized' ? 'proactive' : this.nextReason,
        );
      }
      if (!newer && Date.now() - started < this.waitMs) continue;
      if (!newer) {
        this.deps.hooks.onTokenWait?.({ outcome: 'timeout', waitedMs: Date.now() - started });
        throw new X3CredentialsUnavailableError(
          `${this.describe()}: no valid access token and this process may not refresh; the refresher did not ` +
            `publish a new token within ${this.waitMs} ms`,
        );
      }
      if (this.usable(newer, false)) {
        this.deps.hooks.onTokenWait?.({ outcome: 'received', waitedMs: Date.now() - started });
        this.nextReason = 'proactive';
        this.checkRefreshTokenExpiry(newer);
        return bearer(newer);
      }
      generation = newer.generation;
    }
  }

  private async refresh(current: X3TokenSet | undefined, reason: X3TokenReason): Promise<string> {
    const form = new URLSearchParams();
    let presented: string | undefined;
    if (this.config.grant === 'refresh_token') {
      presented = current?.refreshToken;
      if (!presented)
        throw new AuthenticationError(
          `${this.describe()}: no refresh token available; an X3 user must authorise the app`,
        );
      if (this.deadRefreshTokens.has(presented)) {
        throw new AuthenticationError(
          `${this.describe()}: the stored refresh token was refused (invalid_grant) and no newer one has been stored; ` +
            'an X3 user must re-authorise the connected app',
        );
      }
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', presented);
    } else {
      form.set('grant_type', 'client_credentials');
    }
    form.set('client_id', this.config.clientId);
    form.set('client_secret', this.config.clientSecret);
    if (this.config.scope) form.set('scope', this.config.scope);

    const startedAt = this.deps.clock.now();
    const wallStart = Date.now();
    let status: number | undefined;
    let body: Record<string, unknown> | undefined;
    try {
      const res = await this.deps.transport.request({
        method: 'POST',
        url: new URL(this.config.tokenUrl),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        timeoutMs: this.deps.timeoutMs,
      });
      status = res.status;
      body = parseJsonObject(res.body);
      if (res.status !== 200) throw this.tokenError(res.status, body, res.body);
      if (typeof body?.['access_token'] !== 'string' || !body['access_token']) {
        throw new X3ProtocolError(`${this.describe()}: token endpoint answered without access_token`, {
          status: res.status,
        });
      }
    } catch (error) {
      this.deps.hooks.onTokenFailed?.({ mode: 'oauth2', reason, errorName: (error as Error).name });
      if (presented && error instanceof AuthenticationError && /invalid_grant/.test(error.message)) {
        // Spent, expired or revoked: never again. Another process may have rotated it meanwhile (ownership moved):
        // a different token in the store is worth one try.
        this.deadRefreshTokens.add(presented);
        const latest = this.latest();
        if (latest?.refreshToken && !this.deadRefreshTokens.has(latest.refreshToken)) {
          if (this.usable(latest, true)) return bearer(latest);
          return this.refresh(latest, reason);
        }
      }
      throw error;
    } finally {
      this.deps.hooks.onRequest?.({ surface: 'token', method: 'POST', status, durationMs: Date.now() - wallStart });
    }

    const accessToken = String(body['access_token']);
    const expiresInSec = toSeconds(body['expires_in']) ?? 300;
    const rotated =
      typeof body['refresh_token'] === 'string' && body['refresh_token'] ? body['refresh_token'] : undefined;
    const refreshToken = rotated ?? presented;
    const expiry = refreshToken
      ? this.refreshExpiry(refreshToken, toSeconds(body['refresh_token_expires_in']), startedAt, current)
      : undefined;
    const next: X3TokenSet = {
      // Expiry counted from when we asked, not when the answer arrived: errs on the early side.
      accessToken,
      accessTokenExpiresAt: startedAt + expiresInSec * 1000,
      refreshToken,
      refreshTokenExpiresAt: expiry?.at,
      refreshTokenExpirySource: expiry?.source,
      generation: (current?.generation ?? 0) + 1,
      updatedAt: startedAt,
    };
    await this.persist(next, current);
    this.rejectedAccess = undefined;
    this.nextReason = 'proactive';
    this.deps.hooks.onTokenAcquired?.({ mode: 'oauth2', reason, grant: this.config.grant });
    if (rotated && rotated !== presented) await this.announceRotation(next);
    this.checkRefreshTokenExpiry(next);
    return bearer(next);
  }

  /**
   * Saves before the token is used, so a crash cannot lose a rotated refresh token. A conflict means another
   * writer got in between (a re-authorisation seeded by the CLI, or a second refresher): our set is the newest valid
   * one, so it goes on top once; if that races too it stays in this process's memory and is logged.
   */
  private async persist(next: X3TokenSet, current: X3TokenSet | undefined): Promise<void> {
    try {
      await this.store.save(next, current?.generation);
      this.localOnly = undefined;
      return;
    } catch (error) {
      if (!(error instanceof X3CredentialConflictError)) {
        this.localOnly = next;
        this.deps.logger.error?.(`${this.describe()}: saving the new token set failed; kept in memory only`, {
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
    }
    const newest = this.store.current();
    const onTop = { ...next, generation: (newest?.generation ?? 0) + 1 };
    try {
      await this.store.save(onTop, newest?.generation);
      this.localOnly = undefined;
    } catch (error) {
      this.localOnly = onTop;
      this.deps.logger.error?.(`${this.describe()}: the credential store changed twice during a refresh`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * Refresh-token expiry: `refresh_token_expires_in` when sent; else the token's own `exp` when it is a JWT; else
   * the configured lifetime — from now, or (rotation 'keeps-expiry') the previous token's expiry when known.
   */
  private refreshExpiry(
    token: string,
    expiresInSec: number | undefined,
    now: number,
    previous: X3TokenSet | undefined,
  ): { at: number; source: NonNullable<X3TokenSet['refreshTokenExpirySource']> } {
    if (expiresInSec !== undefined) return { at: now + expiresInSec * 1000, source: 'response' };
    const exp = jwtExpiry(token);
    if (exp !== undefined) return { at: exp * 1000, source: 'jwt' };
    if (previous?.refreshToken === token && previous.refreshTokenExpiresAt !== undefined) {
      return { at: previous.refreshTokenExpiresAt, source: previous.refreshTokenExpirySource ?? 'configured' };
    }
    if ((this.config.refreshTokenRotation ?? 'keeps-expiry') === 'keeps-expiry' && previous?.refreshTokenExpiresAt) {
      return { at: previous.refreshTokenExpiresAt, source: 'configured' };
    }
    return { at: now + this.lifetimeS * 1000, source: 'configured' };
  }

  private async announceRotation(next: X3TokenSet): Promise<void> {
    const callback = this.config.onRefreshTokenRotated;
    if (!callback || !next.refreshToken) return;
    try {
      await callback({
        refreshToken: next.refreshToken,
        expiresAt: next.refreshTokenExpiresAt === undefined ? undefined : new Date(next.refreshTokenExpiresAt),
      });
    } catch (error) {
      this.deps.logger.error?.(`${this.describe()}: onRefreshTokenRotated failed`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private checkRefreshTokenExpiry(t: X3TokenSet | undefined): void {
    if (this.config.grant !== 'refresh_token' || t?.refreshTokenExpiresAt === undefined) return;
    const now = this.deps.clock.now();
    const daysLeft = (t.refreshTokenExpiresAt - now) / DAY_MS;
    if (daysLeft > this.warnDays) return;
    this.config.onRefreshTokenExpiring?.(daysLeft);
    this.config.onRefreshTokenNearingExpiry?.(daysLeft);
    // Log at most hourly; the hooks above are the per-refresh gauge.
    if (this.lastWarnAt !== undefined && now - this.lastWarnAt < 3_600_000) return;
    this.lastWarnAt = now;
    this.deps.logger.warn(
      `${this.describe()}: the Sage X3 refresh token expires in ${daysLeft.toFixed(1)} days ` +
        `(${new Date(t.refreshTokenExpiresAt).toISOString()}); an X3 user must re-authorise the connected app before then`,
      { clientId: this.config.clientId, daysLeft, source: t.refreshTokenExpirySource },
    );
  }

  private tokenError(status: number, body: Record<string, unknown> | undefined, raw: string): Error {
    const code = typeof body?.['error'] === 'string' ? body['error'] : undefined;
    const description =
      typeof body?.['error_description'] === 'string' ? ` - ${body['error_description'].slice(0, 200)}` : '';
    if (status >= 500 || status === 429) {
      return new X3HttpError(`${this.describe()}: token endpoint unavailable (HTTP ${status})`, {
        kind: 'transient',
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

function bearer(t: X3TokenSet): string {
  return `Bearer ${t.accessToken}`;
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
