import { X3CredentialStore } from './auth/credential-store';
import { Clock, Sleep, systemClock } from './clock';
import { UNKNOWN_PROPERTY } from './x3-answer.classifier';
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

export const X3_ENTITY_NAMES: readonly X3EntityName[] = [
  'journalEntry',
  'account',
  'costCenter',
  'supplier',
  'purchaseOrder',
  'purchaseInvoice',
  'product',
];

/** A collection of lines inside a document (GACCENTRYD, PINVOICED, PORDERQ). */
export interface X3LinesConfig {
  /** The collection property, e.g. `GACCENTRYD`. */
  field: string;
  /** Logical name → X3 field code of the line fields the connector writes or reads. */
  fields: Record<string, string>;
}

/**
 * How the connector talks to one class: its names on this site, the fields it writes or reads, how a document is
 * found again, and which fields carry status and change stamps. Every field here is verified against the site's
 * representation by `verifyFields` (a customised representation may rename or drop any of them).
 */
export interface X3EntityConfig {
  className: string;
  /** Representation published by the site; defaults to the class name. */
  representation: string;
  /** Fields that make up the key, joined with `~` in URLs. */
  keyFields: string[];
  /** Logical name → X3 field code of the header fields the connector writes (documents) or reads (master data). */
  fields: Record<string, string>;
  lines?: X3LinesConfig;
  /**
   * Fields a document is found by before and after a create (`where F1 eq … and F2 eq …`), with the values taken
   * from the body: `REF` for journal entries, supplier + supplier invoice number (`BPR`, `BPRVCR`) for purchase
   * invoices, the code for suppliers.
   */
  lookupFields: string[];
  /** Field the connector's external reference is written to, when the representation has one (GACCENTRY `REF`). */
  referenceField?: string;
  /** Field holding the document's status (GACCENTRY and PINVOICE `STA`). */
  statusField?: string;
  /** Audit field polled for changes. */
  updateStampField: string;
  createStampField: string;
  /** The connector creates records of this class: the `$create` facet is verified too. */
  creates: boolean;
}

/** Per-site overrides of an entity; `null` removes a default (e.g. a field the site's representation lacks). */
export interface X3EntityOverride {
  className?: string;
  representation?: string;
  keyFields?: string[];
  fields?: Record<string, string | null>;
  lines?: { field?: string; fields?: Record<string, string | null> } | null;
  lookupFields?: string[];
  referenceField?: string | null;
  statusField?: string | null;
  updateStampField?: string;
  createStampField?: string;
  creates?: boolean;
}

export interface SageX3BasicAuth {
  mode: 'basic';
  user: string;
  password: string;
}

export interface RefreshTokenRotation {
  refreshToken: string;
  /** When the new refresh token expires (from the response, the JWT, or the configured lifetime). */
  expiresAt?: Date;
}

export interface SageX3OAuth2Auth {
  mode: 'oauth2';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  grant: 'client_credentials' | 'refresh_token';
  /**
   * Where the current token set lives and who may refresh it. Default: an in-memory store seeded from
   * `refreshToken`/`refreshTokenExpiresAt` in which this process always may refresh (one process per tenant).
   * Processes sharing a tenant pass a store backed by shared state, only one of them allowed to refresh.
   */
  credentialStore?: X3CredentialStore;
  /** Initial refresh token for the default in-memory store (required for grant 'refresh_token' without a store). */
  refreshToken?: string;
  /** When that refresh token expires, if known (e.g. 30 days after the X3 user approved the app). */
  refreshTokenExpiresAt?: Date | string;
  /** Refresh the access token at least this long before it expires. Default 60. */
  refreshMarginSeconds?: number;
  /** A process that may not refresh waits this long for the refresher's new token. Default 10000. */
  waitForTokenMs?: number;
  /**
   * Refresh-token lifetime when the token endpoint sends no `refresh_token_expires_in` and the token is not a JWT
   * with `exp` (X3 cloud: 30 days). Default 2 592 000.
   */
  refreshTokenLifetimeSeconds?: number;
  /**
   * Whether a rotated refresh token keeps the expiry of the one it replaced ('keeps-expiry', the cautious default:
   * the 30 days run from the user's approval) or starts a new lifetime ('renews'). Used only when the expiry
   * comes from the configured lifetime.
   */
  refreshTokenRotation?: 'keeps-expiry' | 'renews';
  /** Warn when the refresh token has fewer days left than this. Default 7. */
  refreshTokenWarnDays?: number;
  scope?: string;
  /** Called (and awaited) after every rotation, once the store saved it. */
  onRefreshTokenRotated?: (rotation: RefreshTokenRotation) => void | Promise<void>;
  /** Called after each token acquisition (and each refreshIfDue) while the refresh token is within the warning window. */
  onRefreshTokenExpiring?: (daysLeft: number) => void;
  /** @deprecated old name of onRefreshTokenExpiring; still called. */
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

export interface X3RetryOptions {
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

/**
 * api1 paths relative to `api1/x3/erp/{folder}/`, with placeholders `{class}`, `{representation}`, `{facet}`.
 * Sage publishes prototypes as `$prototypes('REPR.$facet')` (SData 2.0, Syracuse); kept as configuration because a
 * site's proxy or release may differ.
 */
export interface X3Api1Paths {
  /** Default `$prototypes('{representation}.{facet}')`. */
  prototype: string;
  /** Default `{class}/$template?representation={representation}.$create`. */
  template: string;
}

export interface SageX3RequestEvent {
  surface: 'api1' | 'graphql' | 'token';
  method: string;
  status?: number;
  durationMs: number;
  errorName?: string;
}

export type X3TokenReason = 'initial' | 'proactive' | 'unauthorized';

/** Observability hooks (counters/gauges); all optional and must not throw. */
export interface SageX3Hooks {
  onRequest?(event: SageX3RequestEvent): void;
  onRetry?(event: { surface: 'api1' | 'graphql'; attempt: number; delayMs: number; errorName: string }): void;
  onTokenAcquired?(event: { mode: 'oauth2' | 'jwt'; reason: X3TokenReason; grant?: string }): void;
  /** The token endpoint refused or failed (the error is thrown to the caller as well). */
  onTokenFailed?(event: { mode: 'oauth2'; reason: X3TokenReason; errorName: string }): void;
  /** A process that may not refresh waited for the refresher's token: got it, or timed out. */
  onTokenWait?(event: { outcome: 'received' | 'timeout'; waitedMs: number }): void;
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
  entities?: Partial<Record<X3EntityName, X3EntityOverride>>;
  api1Paths?: Partial<X3Api1Paths>;
  /** Default '/xtrem/api'. */
  graphqlPath?: string;
  /** Default 20 (X3's own default page size). */
  defaultPageSize?: number;
  retry?: Partial<X3RetryOptions>;
  /** Wait before looking a create up after an unknown outcome, so a slow commit can land. Default 1000. */
  createRecoverySettleMs?: number;
  /** Send `X-Requested-With: stateless` on api1 calls (no Syracuse session kept). Default true. */
  statelessHeader?: boolean;
  /**
   * Wording that marks a failed read without an error diagnosis as a configuration error (e.g. the text a site
   * answers a `where` on an unknown property with). Added to the built-in UNKNOWN_PROPERTY pattern.
   */
  configErrorPatterns?: RegExp[];
  maxSockets?: number;
  clock?: Clock;
  sleep?: Sleep;
  logger?: SageX3Logger;
  hooks?: SageX3Hooks;
}

const AUDIT = { updateStampField: 'UPDDATTIM', createStampField: 'CREDATTIM' };

/**
 * Defaults per class, X3's own field codes as the public column lists publish them (see
 * shared/reference/sage-x3-api.md). PINVOICE has no `REF` and no `MATSTA` there: supplier invoices are found by
 * supplier + supplier invoice number and read their status from `STA`. Product cost: ITMMASTER `PURBASPRI` (base
 * purchase price); a site that costs from ITMCOST/ITMMVT points `fields.cost` at its own representation's field.
 */
export const DEFAULT_ENTITIES: Record<X3EntityName, X3EntityConfig> = {
  journalEntry: {
    className: 'GACCENTRY',
    representation: 'GACCENTRY',
    keyFields: ['TYP', 'NUM'],
    fields: {
      site: 'FCY',
      entryType: 'TYP',
      journal: 'JOU',
      accountingDate: 'ACCDAT',
      currency: 'CUR',
      reference: 'REF',
      description: 'DESVCR',
    },
    lines: {
      field: 'GACCENTRYD',
      fields: {
        account: 'ACC',
        sign: 'SNS',
        amount: 'AMTCUR',
        currency: 'CUR',
        description: 'DES',
        dimensionType: 'DIE',
        costCenter: 'CCE',
      },
    },
    lookupFields: ['REF'],
    referenceField: 'REF',
    statusField: 'STA',
    ...AUDIT,
    creates: true,
  },
  purchaseInvoice: {
    className: 'PINVOICE',
    representation: 'PINVOICE',
    keyFields: ['NUM'],
    fields: {
      site: 'FCY',
      supplier: 'BPR',
      supplierInvoiceNumber: 'BPRVCR',
      invoiceDate: 'BPRDAT',
      accountingDate: 'ACCDAT',
      currency: 'CUR',
      description: 'DES',
      controlTotal: 'AMTNOT',
    },
    lines: {
      field: 'PINVOICED',
      fields: {
        purchaseOrder: 'POHNUM',
        purchaseOrderLine: 'POPLIN',
        product: 'ITMREF',
        quantity: 'QTYUOM',
        netPrice: 'NETPRI',
      },
    },
    lookupFields: ['BPR', 'BPRVCR'],
    statusField: 'STA',
    ...AUDIT,
    creates: true,
  },
  supplier: {
    className: 'BPSUPPLIER',
    representation: 'BPSUPPLIER',
    keyFields: ['BPSNUM'],
    fields: { code: 'BPSNUM', name: 'BPSNAM', active: 'ENAFLG', currency: 'CUR', country: 'CRY', taxId: 'CRN' },
    lookupFields: ['BPSNUM'],
    ...AUDIT,
    // Off by default (issue 11: the ServiceTitan → X3 supplier direction is opt-in per tenant).
    creates: false,
  },
  product: {
    className: 'ITMMASTER',
    representation: 'ITMMASTER',
    keyFields: ['ITMREF'],
    fields: { code: 'ITMREF', description: 'ITMDES1', category: 'TCLCOD', stockUnit: 'STU', cost: 'PURBASPRI' },
    lookupFields: ['ITMREF'],
    ...AUDIT,
    creates: false,
  },
  account: {
    className: 'GACCOUNT',
    representation: 'GACCOUNT',
    keyFields: ['ACC'],
    fields: { code: 'ACC', description: 'DES', active: 'ENAFLG', dimensionTypes: 'DIE' },
    lookupFields: ['ACC'],
    ...AUDIT,
    creates: false,
  },
  costCenter: {
    className: 'CACCE',
    representation: 'CACCE',
    keyFields: ['DIE', 'CCE'],
    fields: { dimensionType: 'DIE', code: 'CCE', description: 'DES', active: 'ENAFLG' },
    lookupFields: ['DIE', 'CCE'],
    ...AUDIT,
    creates: false,
  },
  purchaseOrder: {
    className: 'PORDER',
    representation: 'PORDER',
    keyFields: ['POHNUM'],
    fields: { number: 'POHNUM', site: 'POHFCY', supplier: 'BPSNUM', orderDate: 'ORDDAT', currency: 'CUR' },
    lines: {
      field: 'PORDERQ',
      fields: { line: 'POPLIN', product: 'ITMREF', quantity: 'QTYUOM', netPrice: 'NETPRI' },
    },
    lookupFields: ['POHNUM'],
    ...AUDIT,
    creates: false,
  },
};

export interface ResolvedSageX3Config {
  baseUrl: URL;
  folder: string;
  caPem?: string[];
  timeouts: SageX3Timeouts;
  auth: SageX3AuthConfig;
  api1Auth?: SageX3AuthConfig;
  entities: Record<X3EntityName, X3EntityConfig>;
  api1Paths: X3Api1Paths;
  graphqlPath: string;
  defaultPageSize: number;
  retry: X3RetryOptions;
  createRecoverySettleMs: number;
  statelessHeader: boolean;
  configErrorPatterns: RegExp[];
  maxSockets: number;
  clock: Clock;
  logger: SageX3Logger;
  hooks: SageX3Hooks;
}

const consoleLogger: SageX3Logger = {
  warn: (message, context) => console.warn(`[sage-x3] ${message}`, context ?? ''),
  error: (message, context) => console.error(`[sage-x3] ${message}`, context ?? ''),
};

/** X3 field codes: letters, digits, underscores, starting with a letter. */
export const X3_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

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
  for (const [name, override] of Object.entries(config.entities ?? {}) as Array<[X3EntityName, X3EntityOverride]>) {
    if (!entities[name]) throw new X3ConfigError(`Unknown Sage X3 entity '${name}' in config.entities`);
    entities[name] = mergeEntity(name, entities[name], override ?? {});
  }
  const pageSize = config.defaultPageSize ?? 20;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new X3ConfigError('Sage X3 defaultPageSize must be a positive integer');
  const api1Paths: X3Api1Paths = {
    prototype: "$prototypes('{representation}.{facet}')",
    template: '{class}/$template?representation={representation}.$create',
    ...config.api1Paths,
  };
  return {
    baseUrl,
    folder: config.folder,
    caPem: config.caPem === undefined ? undefined : Array.isArray(config.caPem) ? config.caPem : [config.caPem],
    timeouts: { requestMs: 30_000, tokenMs: 15_000, ...config.timeouts },
    auth: config.auth,
    api1Auth: config.api1Auth,
    entities,
    api1Paths,
    graphqlPath: config.graphqlPath ?? '/xtrem/api',
    defaultPageSize: pageSize,
    retry: { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, ...config.retry },
    createRecoverySettleMs: config.createRecoverySettleMs ?? 1_000,
    statelessHeader: config.statelessHeader ?? true,
    configErrorPatterns: [UNKNOWN_PROPERTY, ...(config.configErrorPatterns ?? [])],
    maxSockets: config.maxSockets ?? 8,
    clock: config.clock ?? systemClock,
    logger: config.logger ?? consoleLogger,
    hooks: config.hooks ?? {},
  };
}

function mergeFields(
  base: Record<string, string>,
  override: Record<string, string | null> | undefined,
): Record<string, string> {
  const out = { ...base };
  for (const [logical, code] of Object.entries(override ?? {})) {
    if (code === null) delete out[logical];
    else out[logical] = code;
  }
  return out;
}

/** One entity's defaults with a site's override applied, checked field by field. */
export function mergeEntity(name: string, base: X3EntityConfig, override: X3EntityOverride): X3EntityConfig {
  const where = `Sage X3 entity '${name}'`;
  const merged: X3EntityConfig = {
    ...base,
    className: override.className ?? base.className,
    representation: override.representation ?? override.className ?? base.representation,
    keyFields: override.keyFields ?? base.keyFields,
    fields: mergeFields(base.fields, override.fields),
    lookupFields: override.lookupFields ?? base.lookupFields,
    updateStampField: override.updateStampField ?? base.updateStampField,
    createStampField: override.createStampField ?? base.createStampField,
    creates: override.creates ?? base.creates,
  };
  if (override.referenceField !== undefined) merged.referenceField = override.referenceField ?? undefined;
  if (override.statusField !== undefined) merged.statusField = override.statusField ?? undefined;
  if (override.lines === null) merged.lines = undefined;
  else if (override.lines) {
    const field = override.lines.field ?? base.lines?.field;
    if (!field) throw new X3ConfigError(`${where}: lines.field is required`);
    merged.lines = { field, fields: mergeFields(base.lines?.fields ?? {}, override.lines.fields) };
  }
  if (!merged.keyFields.length) throw new X3ConfigError(`${where} needs at least one key field`);
  if (!merged.lookupFields.length) throw new X3ConfigError(`${where} needs at least one lookup field`);
  for (const cls of [merged.className, merged.representation]) {
    if (!X3_FIELD_NAME.test(cls))
      throw new X3ConfigError(`${where}: '${cls}' is not a valid class/representation name`);
  }
  const named: Array<[string, string | undefined]> = [
    ...merged.keyFields.map((f, i): [string, string] => [`keyFields[${i}]`, f]),
    ...merged.lookupFields.map((f, i): [string, string] => [`lookupFields[${i}]`, f]),
    ...Object.entries(merged.fields).map(([k, f]): [string, string] => [`fields.${k}`, f]),
    ...Object.entries(merged.lines?.fields ?? {}).map(([k, f]): [string, string] => [`lines.fields.${k}`, f]),
    ['lines.field', merged.lines?.field],
    ['referenceField', merged.referenceField],
    ['statusField', merged.statusField],
    ['updateStampField', merged.updateStampField],
    ['createStampField', merged.createStampField],
  ];
  for (const [path, f] of named) {
    if (f !== undefined && !X3_FIELD_NAME.test(f))
      throw new X3ConfigError(`${where}: ${path} '${f}' is not an X3 field code`);
  }
  return merged;
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
      if (auth.grant === 'refresh_token' && !auth.refreshToken && !auth.credentialStore) {
        throw new X3ConfigError(
          "Sage X3 OAuth2 grant 'refresh_token' needs the current refreshToken (or a credentialStore holding it)",
        );
      }
      for (const [key, value, min] of [
        ['refreshMarginSeconds', auth.refreshMarginSeconds, 0],
        ['waitForTokenMs', auth.waitForTokenMs, 0],
        ['refreshTokenLifetimeSeconds', auth.refreshTokenLifetimeSeconds, 1],
        ['refreshTokenWarnDays', auth.refreshTokenWarnDays, 0],
      ] as const) {
        if (value !== undefined && !(Number.isFinite(value) && value >= min))
          throw new X3ConfigError(`Sage X3 OAuth2 ${key} must be a number >= ${min}`);
      }
      if (auth.refreshTokenRotation && !['keeps-expiry', 'renews'].includes(auth.refreshTokenRotation))
        throw new X3ConfigError("Sage X3 OAuth2 refreshTokenRotation must be 'keeps-expiry' or 'renews'");
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
