import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SageX3SimAuthSeed } from './seed.types';
import { SimulatorClock } from './simulator-clock';

export type AuthMode = 'basic' | 'oauth2' | 'jwt';

export interface Principal {
  mode: AuthMode;
  user: string;
  /** Folders the credential may use; undefined = all. */
  folders?: string[];
  clientId?: string;
}

export type AuthCheck = { ok: true; principal: Principal } | { ok: false; reason: string };

interface AccessToken {
  clientId: string;
  user: string;
  folders?: string[];
  expiresAt: number;
  /** Refresh-token chain it came from (revoked with the chain); undefined for client_credentials. */
  chain?: string;
}

interface RefreshToken {
  clientId: string;
  user: string;
  folders?: string[];
  expiresAt: number;
  /** One chain per user approval; every rotation stays in it. */
  chain: string;
}

export interface AuthCounters {
  /** refresh_token grants answered with new tokens. */
  refreshes: number;
  /** Token requests refused with invalid_grant. */
  invalidGrants: number;
  /** Chains revoked because a spent refresh token was presented again. */
  revokedChains: number;
}

export interface TokenEndpointResult {
  status: number;
  body: Record<string, unknown>;
  grant?: string;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** Basic users, OAuth2 token endpoint (rotating refresh tokens) and connected-app JWT verification. */
export class SimulatorAuth {
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  /** Rotated-away refresh tokens → their chain: reuse is reported distinctly and revokes the chain. */
  private readonly usedRefreshTokens = new Map<string, string>();
  private readonly jwtSecret = randomBytes(32);
  readonly accessTokenLifetimeSeconds: number;
  readonly refreshTokenLifetimeSeconds: number;
  counters: AuthCounters = { refreshes: 0, invalidGrants: 0, revokedChains: 0 };

  constructor(
    private readonly config: SageX3SimAuthSeed,
    private readonly clock: SimulatorClock,
    private readonly defaultAudience: () => string,
  ) {
    this.accessTokenLifetimeSeconds = config.oauth2?.accessTokenLifetimeSeconds ?? 300;
    this.refreshTokenLifetimeSeconds = config.oauth2?.refreshTokenLifetimeSeconds ?? 30 * 86_400;
  }

  checkBasic(header: string): AuthCheck {
    const encoded = header.slice('Basic '.length).trim();
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) return { ok: false, reason: 'malformed Basic credentials' };
    const user = decoded.slice(0, sep);
    const password = decoded.slice(sep + 1);
    const match = (this.config.basic ?? []).find((u) => u.user === user && safeEqual(u.password, password));
    if (!match) return { ok: false, reason: 'invalid user or password' };
    return { ok: true, principal: { mode: 'basic', user, folders: match.folders } };
  }

  /** Bearer token: an access token we issued, else a connected-app JWT (three dot-separated parts). */
  checkBearer(token: string): AuthCheck {
    const access = this.accessTokens.get(token);
    if (access) {
      if (this.clock.now() >= access.expiresAt) return { ok: false, reason: 'access token expired' };
      return {
        ok: true,
        principal: { mode: 'oauth2', user: access.user, folders: access.folders, clientId: access.clientId },
      };
    }
    if (token.split('.').length === 3) return this.verifyJwt(token);
    return { ok: false, reason: 'unknown access token' };
  }

  /** Simulates an X3 user approving the app (authorization code flow): a fresh 30-day refresh token. */
  issueRefreshToken(clientId: string): { refreshToken: string; expiresAt: Date } {
    const client = this.config.oauth2?.clients.find((c) => c.clientId === clientId);
    if (!client) throw new Error(`unknown OAuth2 client ${clientId}`);
    const expiresAt = this.clock.now() + this.refreshTokenLifetimeSeconds * 1000;
    const refreshToken = this.newRefreshToken(clientId, expiresAt);
    this.refreshTokens.set(refreshToken, {
      clientId,
      user: client.user ?? 'ADMIN',
      folders: client.folders,
      expiresAt,
      chain: randomBytes(8).toString('hex'),
    });
    return { refreshToken, expiresAt: new Date(expiresAt) };
  }

  /** Live refresh tokens (after rotations and revocations). */
  liveRefreshTokens(): number {
    return this.refreshTokens.size;
  }

  /** Opaque `sim-rt-…`, or an HS256 JWT carrying `exp` when the seed asks for JWT refresh tokens. */
  private newRefreshToken(clientId: string, expiresAt: number): string {
    if (!this.config.oauth2?.jwtRefreshTokens) return `sim-rt-${randomBytes(18).toString('hex')}`;
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        iss: 'sage-x3-simulator',
        sub: clientId,
        jti: randomBytes(12).toString('hex'),
        iat: Math.floor(this.clock.now() / 1000),
        exp: Math.floor(expiresAt / 1000),
      }),
    ).toString('base64url');
    const signature = createHmac('sha256', this.jwtSecret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** OAuth 2.0 security BCP: a spent refresh token presented again revokes its whole chain (and its access tokens). */
  private revokeChain(chain: string): void {
    for (const [token, r] of this.refreshTokens) if (r.chain === chain) this.refreshTokens.delete(token);
    for (const [token, a] of this.accessTokens) if (a.chain === chain) this.accessTokens.delete(token);
    this.counters.revokedChains++;
  }

  private invalidGrant(description: string, grant: string): TokenEndpointResult {
    this.counters.invalidGrants++;
    return { status: 400, body: { error: 'invalid_grant', error_description: description }, grant };
  }

  /** Invalidates every access token (e.g. a server restart) so the 401 safety net can be tested. */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  tokenEndpoint(params: URLSearchParams, basicHeader?: string): TokenEndpointResult {
    let clientId = params.get('client_id') ?? '';
    let clientSecret = params.get('client_secret') ?? '';
    if (basicHeader?.startsWith('Basic ')) {
      const decoded = Buffer.from(basicHeader.slice(6), 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      if (sep > 0) {
        clientId = decodeURIComponent(decoded.slice(0, sep));
        clientSecret = decodeURIComponent(decoded.slice(sep + 1));
      }
    }
    const grant = params.get('grant_type') ?? '';
    const client = this.config.oauth2?.clients.find((c) => c.clientId === clientId);
    if (!client || !safeEqual(client.clientSecret, clientSecret)) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        grant,
      };
    }
    const grants = client.grants ?? ['refresh_token'];
    if (grant !== 'client_credentials' && grant !== 'refresh_token') {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: `grant_type '${grant}' is not supported` },
        grant,
      };
    }
    if (!grants.includes(grant)) {
      return {
        status: 400,
        body: {
          error: 'unauthorized_client',
          error_description: `grant_type '${grant}' is not allowed for this client`,
        },
        grant,
      };
    }
    const now = this.clock.now();
    if (grant === 'client_credentials') {
      return { status: 200, body: this.issueAccess(clientId, client.user ?? 'ADMIN', client.folders, now), grant };
    }
    const presented = params.get('refresh_token') ?? '';
    const stored = this.refreshTokens.get(presented);
    if (!stored) {
      const chain = this.usedRefreshTokens.get(presented);
      if (chain === undefined) return this.invalidGrant('Invalid refresh token', grant);
      this.revokeChain(chain);
      return this.invalidGrant('Refresh token already used (tokens rotate on use); the token chain is revoked', grant);
    }
    if (stored.clientId !== clientId) return this.invalidGrant('Refresh token issued to another client', grant);
    if (now >= stored.expiresAt) {
      this.refreshTokens.delete(presented);
      return this.invalidGrant('Refresh token expired', grant);
    }
    // Rotation: the presented token dies; the new one gets a fresh lifetime (unless rotationKeepsExpiry).
    this.refreshTokens.delete(presented);
    this.usedRefreshTokens.set(presented, stored.chain);
    const expiresAt = this.config.oauth2?.rotationKeepsExpiry
      ? stored.expiresAt
      : now + this.refreshTokenLifetimeSeconds * 1000;
    const refreshToken = this.newRefreshToken(clientId, expiresAt);
    this.refreshTokens.set(refreshToken, { ...stored, expiresAt });
    this.counters.refreshes++;
    return {
      status: 200,
      body: {
        ...this.issueAccess(clientId, stored.user, stored.folders, now, stored.chain),
        refresh_token: refreshToken,
        ...(this.config.oauth2?.omitRefreshTokenExpiresIn
          ? {}
          : { refresh_token_expires_in: Math.floor((expiresAt - now) / 1000) }),
      },
      grant,
    };
  }

  private issueAccess(
    clientId: string,
    user: string,
    folders: string[] | undefined,
    now: number,
    chain?: string,
  ): Record<string, unknown> {
    const token = `sim-at-${randomBytes(18).toString('hex')}`;
    this.accessTokens.set(token, {
      clientId,
      user,
      folders,
      expiresAt: now + this.accessTokenLifetimeSeconds * 1000,
      chain,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: this.accessTokenLifetimeSeconds };
  }

  private verifyJwt(token: string): AuthCheck {
    const jwt = this.config.jwt;
    if (!jwt) return { ok: false, reason: 'connected applications are not enabled' };
    const [h, p, s] = token.split('.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'malformed JWT' };
    }
    if (header['alg'] !== 'HS256') return { ok: false, reason: 'JWT algorithm must be HS256' };
    const app = jwt.apps.find((a) => a.clientId === claims['iss']);
    if (!app) return { ok: false, reason: 'JWT issuer is not a known connected application' };
    const expected = createHmac('sha256', app.secret).update(`${h}.${p}`).digest('base64url');
    if (!safeEqual(expected, s)) return { ok: false, reason: 'JWT signature invalid' };
    const audience = app.audience ?? this.defaultAudience();
    const aud = claims['aud'];
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience))))
      return { ok: false, reason: 'JWT audience mismatch' };
    const sub = claims['sub'];
    if (typeof sub !== 'string' || !sub) return { ok: false, reason: 'JWT subject missing' };
    if (app.users && !app.users.includes(sub)) return { ok: false, reason: 'JWT subject is not an allowed user' };
    const nowSec = this.clock.now() / 1000;
    const iat = claims['iat'];
    const exp = claims['exp'];
    if (typeof iat !== 'number' || typeof exp !== 'number') return { ok: false, reason: 'JWT iat/exp missing' };
    if (iat > nowSec + (jwt.iatToleranceSeconds ?? 10)) return { ok: false, reason: 'JWT issued in the future (iat)' };
    if (exp <= nowSec) return { ok: false, reason: 'JWT expired' };
    if (exp - iat > (jwt.maxLifetimeSeconds ?? 3600)) return { ok: false, reason: 'JWT lifetime too long' };
    const nbf = claims['nbf'];
    if (typeof nbf === 'number' && nbf > nowSec + (jwt.iatToleranceSeconds ?? 10))
      return { ok: false, reason: 'JWT not yet valid (nbf)' };
    return { ok: true, principal: { mode: 'jwt', user: sub, folders: app.folders, clientId: app.clientId } };
  }
}
