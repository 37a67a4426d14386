import { Secret } from '../secrets/secret-box';

export type ServiceTitanEnvironment = 'production' | 'integration';

export interface ServiceTitanTenantSettings {
  environment: ServiceTitanEnvironment;
  /** Overrides for simulators and proxies; default from the environment. */
  authUrl?: string;
  apiBaseUrl?: string;
  tenantId: number;
  appKey: Secret;
  clientId: string;
  clientSecret: Secret;
  webhook: {
    signatureHeader: string;
    encoding: 'hex' | 'base64';
    /** One or two active secrets (rotation overlap); the newest first. */
    secrets: Secret[];
    maxBodyBytes: number;
  };
  pull: { enabled: boolean; intervalSeconds: number; pageSize: number };
}

export type SageX3Auth =
  | { mode: 'basic'; user: string; password: Secret }
  | {
      mode: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: Secret;
      grant: 'client_credentials' | 'refresh_token';
      refreshToken?: Secret;
    }
  | { mode: 'jwt'; clientId: string; secret: Secret; user: string; audience: string };

export interface SageX3TenantSettings {
  baseUrl: string;
  folder: string;
  caFile?: string;
  auth: SageX3Auth;
  /** Per-entity class and representation names (sites publish their own). */
  classes: Record<string, { class: string; representation: string }>;
  site: string;
  currency: string;
  journal: { entryType: string; journal: string };
  poll: { enabled: boolean; intervalSeconds: number; pageSize: number };
}

export interface TenantConfig {
  id: string;
  name: string;
  servicetitan: ServiceTitanTenantSettings;
  sageX3: SageX3TenantSettings;
  mappingRulesFile?: string;
}

export const SERVICETITAN_URLS: Record<ServiceTitanEnvironment, { authUrl: string; apiBaseUrl: string }> = {
  production: { authUrl: 'https://auth.servicetitan.io/connect/token', apiBaseUrl: 'https://api.servicetitan.io' },
  integration: {
    authUrl: 'https://auth-integration.servicetitan.io/connect/token',
    apiBaseUrl: 'https://api-integration.servicetitan.io',
  },
};

export const DEFAULT_X3_CLASSES: Record<string, { class: string; representation: string }> = {
  journalEntry: { class: 'GACCENTRY', representation: 'GACCENTRY' },
  glAccount: { class: 'GACCOUNT', representation: 'GACCOUNT' },
  costCenter: { class: 'CACCE', representation: 'CACCE' },
  supplier: { class: 'BPSUPPLIER', representation: 'BPSUPPLIER' },
  purchaseOrder: { class: 'PORDER', representation: 'PORDER' },
  purchaseInvoice: { class: 'PINVOICE', representation: 'PINVOICE' },
  product: { class: 'ITMMASTER', representation: 'ITMMASTER' },
};

/** Paths (in the file) of every secret field; their values must be `enc:v1:` ciphertexts. */
export const SECRET_PATHS = [
  'servicetitan.appKey',
  'servicetitan.clientSecret',
  'servicetitan.webhook.secrets',
  'sageX3.auth.password',
  'sageX3.auth.clientSecret',
  'sageX3.auth.refreshToken',
  'sageX3.auth.secret',
] as const;

export function secretAad(tenantId: string, path: string): string {
  return `tenant:${tenantId}:${path}`;
}
