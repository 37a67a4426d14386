import { TenantConfig } from '@connector/config';
import { ServiceTitanClientConfig } from './servicetitan.config';

/** A tenant's ServiceTitan settings in the client's shape (secrets revealed only here, into memory). */
export function serviceTitanConfigFromTenant(
  tenant: TenantConfig,
  extra: Partial<ServiceTitanClientConfig> = {},
): ServiceTitanClientConfig {
  const st = tenant.servicetitan;
  const auth = new URL(st.authUrl);
  return {
    environment: st.environment,
    authUrl: auth.origin,
    tokenPath: auth.pathname,
    apiBaseUrl: st.apiBaseUrl,
    tenantId: st.tenantId,
    appKey: st.appKey.reveal(),
    clientId: st.clientId,
    clientSecret: st.clientSecret.reveal(),
    ...extra,
  };
}
