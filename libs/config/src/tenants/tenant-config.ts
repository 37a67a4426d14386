import {
  SageX3Dto,
  ServiceTitanDto,
  TenantDto,
  X3BasicAuthDto,
  X3ClassDto,
  X3JwtAuthDto,
  X3OAuth2AuthDto,
} from './tenant-file.dto';
import { Resolved, secretPaths } from './tenant-secret.decorator';

/*
 * A loaded tenant: the validated file sections (tenant-file.dto.ts) with secrets decrypted into Secret objects and
 * the derived defaults filled in. The types follow the DTO classes, so a field added there appears here.
 */

export interface ServiceTitanTenantSettings extends Resolved<ServiceTitanDto> {
  /** Always set once loaded (the file's override or the environment's URL). */
  authUrl: string;
  apiBaseUrl: string;
}

export type SageX3Auth = Resolved<X3BasicAuthDto> | Resolved<X3OAuth2AuthDto> | Resolved<X3JwtAuthDto>;

/** One X3 entity of the tenant: class and representation names (always set once loaded) and its field overrides. */
export type X3ClassNames = Omit<Resolved<X3ClassDto>, 'key' | 'class' | 'representation'> & {
  class: string;
  representation: string;
};

export interface SageX3TenantSettings extends Omit<Resolved<SageX3Dto>, 'auth' | 'classes'> {
  auth: SageX3Auth;
  /** Per-entity class and representation names: DEFAULT_X3_CLASSES with the file's overrides. */
  classes: Record<string, X3ClassNames>;
}

export interface TenantConfig extends Omit<Resolved<TenantDto>, 'name' | 'servicetitan' | 'sageX3'> {
  name: string;
  servicetitan: ServiceTitanTenantSettings;
  sageX3: SageX3TenantSettings;
}

/** Paths (in the file) of every secret field; their values must be `enc:v1:` ciphertexts. */
export const SECRET_PATHS: readonly string[] = secretPaths(TenantDto);

export function secretAad(tenantId: string, path: string): string {
  return `tenant:${tenantId}:${path}`;
}
