import { readFileSync } from 'node:fs';
import { TenantConfig } from '@connector/config';
import {
  DEFAULT_ENTITIES,
  SageX3AuthConfig,
  SageX3ClientConfig,
  SageX3OAuth2Auth,
  X3EntityName,
  X3EntityOverride,
} from './sage-x3.config';
import { X3ConfigError } from './sage-x3.errors';

/** Tenant-file class keys → the client's entity names (the tenant file says glAccount, the client account). */
const ENTITY_OF_TENANT_CLASS: Record<string, X3EntityName> = {
  journalEntry: 'journalEntry',
  glAccount: 'account',
  costCenter: 'costCenter',
  supplier: 'supplier',
  purchaseOrder: 'purchaseOrder',
  purchaseInvoice: 'purchaseInvoice',
  product: 'product',
};

type TenantClass = TenantConfig['sageX3']['classes'][string];

/**
 * Logical names the tenant file gives that the client does not know for that entity (a typo would otherwise be
 * ignored silently and the default field written). Each problem names the tenant-file path.
 */
function unknownLogicalNames(key: string, entity: X3EntityName, value: TenantClass): string[] {
  const base = DEFAULT_ENTITIES[entity];
  const problems: string[] = [];
  const check = (given: Record<string, string | null> | undefined, known: Record<string, string>, path: string) => {
    for (const name of Object.keys(given ?? {}))
      if (!(name in known))
        problems.push(
          `sageX3.classes.${key}.${path}.${name} is not a field the connector uses for ${key} (known: ${Object.keys(known).join(', ')})`,
        );
  };
  check(value.fields, base.fields, 'fields');
  check(value.lines?.fields, base.lines?.fields ?? {}, 'lines.fields');
  return problems;
}

/**
 * The tenant's per-entity settings as client entity overrides: class and representation names, and the fields
 * written, looked up by and read status from (whatever the file leaves out keeps the client's default). Throws an
 * X3ConfigError naming every tenant-file path whose logical field name the connector does not know.
 */
export function entityOverrides(
  classes: TenantConfig['sageX3']['classes'],
): Partial<Record<X3EntityName, X3EntityOverride>> {
  const out: Partial<Record<X3EntityName, X3EntityOverride>> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(classes)) {
    const entity = ENTITY_OF_TENANT_CLASS[key];
    if (!entity || !value) continue;
    problems.push(...unknownLogicalNames(key, entity, value));
    const override: X3EntityOverride = {};
    if (value.class) override.className = value.class;
    if (value.representation || value.class) override.representation = value.representation || value.class;
    if (value.fields) override.fields = { ...value.fields };
    if (value.lines && (value.lines.field || value.lines.fields))
      override.lines = { field: value.lines.field, fields: value.lines.fields ? { ...value.lines.fields } : undefined };
    if (value.lookupFields?.length) override.lookupFields = [...value.lookupFields];
    if (value.referenceField) override.referenceField = value.referenceField;
    if (value.statusField) override.statusField = value.statusField;
    out[entity] = override;
  }
  if (problems.length) throw new X3ConfigError(problems.join('; '));
  return out;
}

export type OAuth2Hooks = Pick<
  SageX3OAuth2Auth,
  | 'onRefreshTokenRotated'
  | 'onRefreshTokenNearingExpiry'
  | 'onRefreshTokenExpiring'
  | 'credentialStore'
  | 'waitForTokenMs'
>;

/**
 * The tenant's decrypted X3 credentials in the client's shape (secrets revealed only here, into memory), with the
 * tenant's refresh-token settings. OAuth2 processes that share a tenant pass their `credentialStore` (the tenants
 * file's refresh token then only bootstraps it).
 */
export function authFromTenant(tenant: TenantConfig, hooks: OAuth2Hooks = {}): SageX3AuthConfig {
  const a = tenant.sageX3.auth;
  switch (a.mode) {
    case 'basic':
      return { mode: 'basic', user: a.user, password: a.password.reveal() };
    case 'jwt':
      return { mode: 'jwt', clientId: a.clientId, secret: a.secret.reveal(), user: a.user, audience: a.audience };
    case 'oauth2':
      return {
        mode: 'oauth2',
        tokenUrl: a.tokenUrl,
        clientId: a.clientId,
        clientSecret: a.clientSecret.reveal(),
        grant: a.grant,
        refreshToken: a.refreshToken?.reveal(),
        refreshTokenExpiresAt: a.refreshTokenExpiresAt,
        refreshTokenLifetimeSeconds: a.refreshTokenLifetimeDays * 86_400,
        refreshTokenRotation: a.refreshTokenRotation,
        refreshTokenWarnDays: a.refreshTokenWarnDays,
        refreshMarginSeconds: a.refreshMarginSeconds,
        scope: a.scope,
        ...hooks,
      };
  }
}

/** Base client config for a tenant: server, folder, custom CA, auth, entities. Callers add timeouts and hooks. */
export function clientConfigFromTenant(
  tenant: TenantConfig,
  extra: Partial<SageX3ClientConfig> = {},
): SageX3ClientConfig {
  const x3 = tenant.sageX3;
  return {
    baseUrl: x3.baseUrl,
    folder: x3.folder,
    caPem: x3.caFile ? readFileSync(x3.caFile, 'utf8') : undefined,
    auth: authFromTenant(tenant),
    entities: entityOverrides(x3.classes),
    ...extra,
  };
}
