import { Clock, Sleep, systemClock } from './clock';
import { X3ConfigError } from './sage-x3.errors';

/** Logical entities the connector uses; each maps to a per-site class and representation. */
export type X3EntityName =
  | 'journalEntry'
  | 'account'
  | 'costCenter'
  | 'supplier'
  | 'purchaseOrder'
  | 'purchaseInvoice'
  | 'product';

export interface X3EntityConfig {
  className: string;
  /** Representation published by the site; defaults to the class name. */
  representation: string;
  /** Fields that make up the key, joined with `~` in URLs. */
  keyFields: string[];
  /** Field holding the connector's external reference (used for idempotent creates). */
  referenceField: string;
  /** Audit field polled for changes. */
  updateStampField: string;
  createStampField: string;
}

export interface SageX3BasicAuth {
  mode: 'basic';
  user: string;
  password: string;
}

export interface RefreshTokenRotation {
  refreshToken: string;
  /** When the new refresh token expires, if the token endpoint said so. */
  expiresAt?: Date;
}

export interface SageX3OAuth2Auth {
  mode: 'oauth2';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  grant: 'client_credentials' | 'refresh_token';
  /** Current refresh token (required for grant 'refresh_token'); rotated tokens come back through onRefreshTokenRotated. */
  refreshToken?: string;
  /** When the current refresh token expires (30 days after the X3 user approved the app). */
  refreshTokenExpiresAt?: Date | string;
  /** Refresh the access token at least this long before it expires. Default 60. */
  refreshMarginSeconds?: number;
  /** Warn when the refresh token has fewer days left than this. Default 7. */
  refreshTokenWarnDays?: number;
  scope?: string;
  /** Called (and awaited) with every new refresh token: persist it, the previous one is no longer valid. */
  onRefreshTokenRotated?: (rotation: RefreshTokenRotation) => void | Promise<void>;
  /** Gauge hook, called after each token acquisition while the refresh token is within the warning window. */
  onRefreshTokenNearingExpiry?: (daysLeft: number) => void;
}

export interface SageX3JwtAuth {
  mode: 'jwt';
  clientId: string;
  secret: string;
  /** X3 user the connected application acts as (JWT `sub`). */
  user: string;
  /** JWT `aud`: the API URL the token is meant for. */
  audience: string;
  /** Token lifetime. Default 300. */
  lifetimeSeconds?: number;
  /** `iat` is backdated by this much so a server clock running behind does not see it in the future. Default 30. */
  clockSkewSeconds?: number;
}

export type SageX3AuthConfig = SageX3BasicAuth | SageX3OAuth2Auth | SageX3JwtAuth;

export interface SageX3Logger {
  debug?(message: string, context?: Record<string, unknown>): void;
  info?(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error?(message: string, context?: Record<string, unknown>): void;
}

export interface RetryOptions {
  /** Total attempts for idempotent reads, including the first. Default 4. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SageX3Timeouts {
  /** Whole request (connect + answer). Default 30000. */
  requestMs: number;
  /** Token endpoint call. Default 15000. */
  tokenMs: number;
}

export interface SageX3RequestEvent {
  surface: 'api1' | 'graphql' | 'token';
  method: string;
  status?: number;
  durationMs: number;
  errorName?: string;
}

/** Observability hooks (counters/gauges); all optional and must not throw. */
export interface SageX3Hooks {
  onRequest?(event: SageX3RequestEvent): void;
  onRetry?(event: { surface: 'api1' | 'graphql'; attempt: number; delayMs: number; errorName: string }): void;
  onTokenAcquired?(event: {
    mode: 'oauth2' | 'jwt';
    reason: 'initial' | 'proactive' | 'unauthorized';
    grant?: string;
  }): void;
  /** The token endpoint refused or failed (the error is thrown to the caller as well). */
  onTokenFailed?(event: { mode: 'oauth2'; reason: 'initial' | 'proactive' | 'unauthorized'; errorName: string }): void;
  onUnauthorized?(event: { surface: 'api1' | 'graphql' }): void;
  onCreateRecovered?(event: { className: string; outcome: 'recovered' }): void;
}

export interface SageX3ClientConfig {
  /** Server URL including the port, e.g. https://x3.example.com:8124 (an optional path prefix is kept). */
  baseUrl: string;
  /** X3 folder = endpoint name (e.g. SEED). */
  folder: string;
  /** Extra CA certificate(s) in PEM, for on-premise servers with their own CA. Added to the public roots. */
  caPem?: string | string[];
  timeouts?: Partial<SageX3Timeouts>;
  auth: SageX3AuthConfig;
  /**
   * Credentials for api1 when they differ from `auth` (on-premise: a GraphQL connected app signs JWTs while
   * api1, used for journal entries, takes Basic). Defaults to `auth`.
   */
  api1Auth?: SageX3AuthConfig;
  entities?: Partial<Record<X3EntityName, Partial<X3EntityConfig>>>;
  /** Default '/xtrem/api'. */
  graphqlPath?: string;
  /** Default 20 (X3's own default page size). */
  defaultPageSize?: number;
  retry?: Partial<RetryOptions>;
  /** Wait before looking a create up by reference after an unknown outcome, so a slow commit can land. Default 1000. */
  createRecoverySettleMs?: number;
  /** Send `X-Requested-With: stateless` on api1 calls (no Syracuse session kept). Default true. */
  statelessHeader?: boolean;
  maxSockets?: number;
  clock?: Clock;
  sleep?: Sleep;
  logger?: SageX3Logger;
  hooks?: SageX3Hooks;
}

export const DEFAULT_ENTITIES: Record<X3EntityName, X3EntityConfig> = {
  journalEntry: entity('GACCENTRY', ['TYP', 'NUM']),
  account: entity('GACCOUNT', ['ACC']),
  costCenter: entity('CACCE', ['DIE', 'CCE']),
  supplier: entity('BPSUPPLIER', ['BPSNUM']),
  purchaseOrder: entity('PORDER', ['POHNUM']),
  purchaseInvoice: entity('PINVOICE', ['NUM']),
  product: entity('ITMMASTER', ['ITMREF']),
};

function entity(className: string, keyFields: string[]): X3EntityConfig {
  return {
    className,
    representation: className,
    keyFields,
    referenceField: 'REF',
    updateStampField: 'UPDDATTIM',
    createStampField: 'CREDATTIM',
  };
}

export interface ResolvedSageX3Config {
  baseUrl: URL;
  folder: string;
  caPem?: string[];
  timeouts: SageX3Timeouts;
  auth: SageX3AuthConfig;
  api1Auth?: SageX3AuthConfig;
  entities: Record<X3EntityName, X3EntityConfig>;
  graphqlPath: string;
  defaultPageSize: number;
  retry: RetryOptions;
  createRecoverySettleMs: number;
  statelessHeader: boolean;
  maxSockets: number;
  clock: Clock;
  logger: SageX3Logger;
  hooks: SageX3Hooks;
}

const consoleLogger: SageX3Logger = {
  warn: (message, context) => console.warn(`[sage-x3] ${message}`, context ?? ''),
  error: (message, context) => console.error(`[sage-x3] ${message}`, context ?? ''),
};

/** Validates and fills defaults. Error messages name the field, never its (possibly secret) value. */
export function resolveSageX3Config(config: SageX3ClientConfig): ResolvedSageX3Config {
  let baseUrl: URL;
  try {
    baseUrl = new URL(config.baseUrl);
  } catch {
    throw new X3ConfigError('Sage X3 baseUrl is not a valid URL');
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:')
    throw new X3ConfigError('Sage X3 baseUrl must be http(s)');
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  if (!config.folder || !/^[A-Za-z0-9_]+$/.test(config.folder)) {
    throw new X3ConfigError('Sage X3 folder (endpoint) must be a non-empty name of letters, digits and underscores');
  }
  validateAuth(config.auth);
  if (config.api1Auth) validateAuth(config.api1Auth);
  const entities = { ...DEFAULT_ENTITIES };
  for (const [name, override] of Object.entries(config.entities ?? {}) as Array<
    [X3EntityName, Partial<X3EntityConfig>]
  >) {
    if (!entities[name]) throw new X3ConfigError(`Unknown Sage X3 entity '${name}' in config.entities`);
    const merged = { ...entities[name], ...override };
    if (override.className && !override.representation) merged.representation = override.className;
    if (!merged.keyFields.length) throw new X3ConfigError(`Sage X3 entity '${name}' needs at least one key field`);
    entities[name] = merged;
  }
  const pageSize = config.defaultPageSize ?? 20;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new X3ConfigError('Sage X3 defaultPageSize must be a positive integer');
  return {
    baseUrl,
    folder: config.folder,
    caPem: config.caPem === undefined ? undefined : Array.isArray(config.caPem) ? config.caPem : [config.caPem],
    timeouts: { requestMs: 30_000, tokenMs: 15_000, ...config.timeouts },
    auth: config.auth,
    api1Auth: config.api1Auth,
    entities,
    graphqlPath: config.graphqlPath ?? '/xtrem/api',
    defaultPageSize: pageSize,
    retry: { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, ...config.retry },
    createRecoverySettleMs: config.createRecoverySettleMs ?? 1_000,
    statelessHeader: config.statelessHeader ?? true,
    maxSockets: config.maxSockets ?? 8,
    clock: config.clock ?? systemClock,
    logger: config.logger ?? consoleLogger,
    hooks: config.hooks ?? {},
  };
}

function validateAuth(auth: SageX3AuthConfig): void {
  switch (auth.mode) {
    case 'basic':
      if (!auth.user || !auth.password) throw new X3ConfigError('Sage X3 basic auth needs user and password');
      return;
    case 'oauth2':
      try {
        new URL(auth.tokenUrl);
      } catch {
        throw new X3ConfigError('Sage X3 OAuth2 tokenUrl is not a valid URL');
      }
      if (!auth.clientId || !auth.clientSecret)
        throw new X3ConfigError('Sage X3 OAuth2 needs clientId and clientSecret');
      if (auth.grant !== 'client_credentials' && auth.grant !== 'refresh_token') {
        throw new X3ConfigError("Sage X3 OAuth2 grant must be 'client_credentials' or 'refresh_token'");
      }
      if (auth.grant === 'refresh_token' && !auth.refreshToken) {
        throw new X3ConfigError("Sage X3 OAuth2 grant 'refresh_token' needs the current refreshToken");
      }
      if (auth.refreshMarginSeconds !== undefined && !(auth.refreshMarginSeconds >= 0)) {
        throw new X3ConfigError('Sage X3 OAuth2 refreshMarginSeconds must be >= 0');
      }
      return;
    case 'jwt':
      if (!auth.clientId || !auth.secret || !auth.user || !auth.audience) {
        throw new X3ConfigError('Sage X3 JWT auth needs clientId, secret, user and audience');
      }
      if (auth.lifetimeSeconds !== undefined && !(auth.lifetimeSeconds > 0)) {
        throw new X3ConfigError('Sage X3 JWT lifetimeSeconds must be > 0');
      }
      return;
    default:
      throw new X3ConfigError('Sage X3 auth.mode must be basic, oauth2 or jwt');
  }
}
