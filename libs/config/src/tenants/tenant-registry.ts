import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isPlainObject, validateDto } from '@connector/util';
import { Secret, SecretBox } from '../secrets/secret-box';
import { secretAad, TenantConfig, X3ClassNames } from './tenant-config';
import { DEFAULT_X3_CLASSES, SERVICETITAN_URLS, TENANT_ID, TenantDto, TenantsFileDto } from './tenant-file.dto';
import { Resolved, resolveSecrets } from './tenant-secret.decorator';

export class TenantConfigError extends Error {
  /** Every problem found (one for errors that are not about the file's content). */
  readonly problems: string[];

  constructor(message: string, problems?: string[]) {
    super(message);
    this.name = 'TenantConfigError';
    this.problems = problems ?? [message];
  }

  /** All problems of a tenants file at once, each naming the tenant (or its position) and the field's path. */
  static invalid(problems: string[], source?: string): TenantConfigError {
    return new TenantConfigError(
      `invalid tenants file${source ? ` ${source}` : ''}:\n  - ${problems.join('\n  - ')}`,
      problems,
    );
  }
}

export interface TenantRegistryOptions {
  /** Called with every decrypted secret value, e.g. to register it with the log redactor. */
  onSecret?: (value: string) => void;
  /** Base directory for relative paths in the file (mapping rules, CA files). */
  baseDir?: string;
}

/** The tenants this deployment serves, with secrets decrypted in memory only (as Secret objects). */
export class TenantRegistry {
  private readonly byId = new Map<string, TenantConfig>();

  constructor(tenants: TenantConfig[]) {
    for (const t of tenants) {
      if (this.byId.has(t.id)) throw new TenantConfigError(`duplicate tenant id "${t.id}"`);
      this.byId.set(t.id, t);
    }
  }

  static fromFile(path: string, encryptionKey: string, options: TenantRegistryOptions = {}): TenantRegistry {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new TenantConfigError(
        `cannot read tenants file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new TenantConfigError(`tenants file ${path} is not valid JSON: ${(e as Error).message}`);
    }
    return new TenantRegistry(
      parseTenantsFile(json, encryptionKey, { baseDir: resolve(path, '..'), ...options }, path),
    );
  }

  static fromJson(json: unknown, encryptionKey: string, options: TenantRegistryOptions = {}): TenantRegistry {
    return new TenantRegistry(parseTenantsFile(json, encryptionKey, options));
  }

  get(id: string): TenantConfig | undefined {
    return this.byId.get(id);
  }

  require(id: string): TenantConfig {
    const t = this.byId.get(id);
    if (!t) throw new TenantConfigError(`unknown tenant "${id}"`);
    return t;
  }

  list(): TenantConfig[] {
    return [...this.byId.values()];
  }
}

/** Validates every tenant (structure, then decryption of each secret) and throws once with every problem. */
function parseTenantsFile(
  json: unknown,
  encryptionKey: string,
  options: TenantRegistryOptions,
  source?: string,
): TenantConfig[] {
  const box = new SecretBox(encryptionKey);
  if (!isPlainObject(json)) throw TenantConfigError.invalid(['tenants file must be a JSON object'], source);
  const problems = validateDto(TenantsFileDto, json).problems.map((p) => `tenants file: ${p}`);
  const list = Array.isArray(json['tenants']) ? (json['tenants'] as unknown[]) : [];
  const tenants: TenantConfig[] = [];
  const firstIndexOf = new Map<string, number>();
  list.forEach((raw, i) => {
    // A tenant with a usable id is named by it; otherwise by its position in the file.
    const rawId = isPlainObject(raw) ? raw['id'] : undefined;
    const id = typeof rawId === 'string' && TENANT_ID.test(rawId) ? rawId : undefined;
    const prefix = id ? `tenant ${id}: ` : '';
    const dto = validateDto(TenantDto, raw, { root: id ? undefined : `tenants[${i}]` });
    const own = dto.problems.map((p) => prefix + p);
    if (id !== undefined) {
      const first = firstIndexOf.get(id);
      if (first !== undefined) own.push(`tenants[${i}].id "${id}" is already used by tenants[${first}]`);
      else firstIndexOf.set(id, i);
    }
    // Secrets are decrypted even when other fields are wrong, so a wrong key or a copied ciphertext shows up now.
    const resolved = resolveSecrets(dto.value, (ciphertext, path) => {
      if (id === undefined || !SecretBox.isEncrypted(ciphertext)) return undefined;
      try {
        const plain = box.decrypt(ciphertext, secretAad(id, path));
        options.onSecret?.(plain);
        return new Secret(plain);
      } catch (e) {
        own.push(prefix + (e as Error).message);
        return undefined;
      }
    }) as Resolved<TenantDto>;
    problems.push(...own);
    if (!own.length) tenants.push(resolveTenant(resolved, options.baseDir ?? process.cwd()));
  });
  if (problems.length) throw TenantConfigError.invalid(problems, source);
  return tenants;
}

/** The defaults that depend on other values (see tenant-file.dto.ts for the plain ones). */
function resolveTenant(t: Resolved<TenantDto>, baseDir: string): TenantConfig {
  const path = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(baseDir, p));
  const urls = SERVICETITAN_URLS[t.servicetitan.environment];
  const classes: Record<string, X3ClassNames> = { ...DEFAULT_X3_CLASSES };
  for (const [entity, { key: _key, ...names }] of Object.entries(t.sageX3.classes)) {
    const cls = names.class ?? DEFAULT_X3_CLASSES[entity].class;
    const representation =
      names.representation ?? (names.class ? names.class : DEFAULT_X3_CLASSES[entity].representation);
    classes[entity] = { ...names, class: cls, representation };
  }
  return {
    ...t,
    name: t.name ?? t.id,
    servicetitan: {
      ...t.servicetitan,
      authUrl: t.servicetitan.authUrl ?? urls.authUrl,
      apiBaseUrl: t.servicetitan.apiBaseUrl ?? urls.apiBaseUrl,
    },
    sageX3: { ...t.sageX3, caFile: path(t.sageX3.caFile), classes },
    mappingRulesFile: path(t.mappingRulesFile),
  };
}
