import { readFileSync } from 'node:fs';
import { TenantConfig } from '@connector/config';
import { SageX3AuthConfig, SageX3ClientConfig, X3EntityName, X3EntityOverride } from './sage-x3.config';

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

/** The tenant's class and representation names as client entity overrides. */
export function entityOverrides(
  classes: TenantConfig['sageX3']['classes'],
): Partial<Record<X3EntityName, X3EntityOverride>> {
  const out: Partial<Record<X3EntityName, X3EntityOverride>> = {};
  for (const [key, value] of Object.entries(classes)) {
    const entity = ENTITY_OF_TENANT_CLASS[key];
    if (entity && value?.class)
      out[entity] = { className: value.class, representation: value.representation || value.class };
  }
  return out;
}

/**
 * The tenant's decrypted X3 credentials in the client's shape (secrets revealed only here, into memory). OAuth2
 * processes that share a tenant pass their `credentialStore` (the tenants file's refresh token then only seeds it).
 */
export function authFromTenant(
  tenant: TenantConfig,
  hooks: Pick<
    Extract<SageX3AuthConfig, { mode: 'oauth2' }>,
    'onRefreshTokenRotated' | 'onRefreshTokenNearingExpiry' | 'onRefreshTokenExpiring' | 'credentialStore'
  > = {},
): SageX3AuthConfig {
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
        ...hooks,
      };
  }
}

/** Base client config for a tenant: server, folder, custom CA, auth, class names. Callers add timeouts and hooks. */
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
