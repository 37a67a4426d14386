import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Secret, SecretBox } from '../secrets/secret-box';
import { DEFAULT_X3_CLASSES, SageX3Auth, secretAad, SERVICETITAN_URLS, TenantConfig } from './tenant-config';

export class TenantConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantConfigError';
  }
}

type Json = Record<string, unknown>;

function obj(v: unknown, where: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TenantConfigError(`${where} must be an object`);
  return v as Json;
}
function str(o: Json, key: string, where: string, fallback?: string): string {
  const v = o[key] ?? fallback;
  if (typeof v !== 'string' || v.length === 0) throw new TenantConfigError(`${where}.${key} is required (string)`);
  return v;
}
function num(o: Json, key: string, where: string, fallback?: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TenantConfigError(`${where}.${key} is required (number)`);
  return v;
}
function url(o: Json, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^https?:\/\/[^\s]+$/.test(v))
    throw new TenantConfigError(`${where}.${key} must be an http(s) URL`);
  return v.replace(/\/+$/, '');
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
    return TenantRegistry.fromJson(json, encryptionKey, { baseDir: resolve(path, '..'), ...options });
  }

  static fromJson(json: unknown, encryptionKey: string, options: TenantRegistryOptions = {}): TenantRegistry {
    const box = new SecretBox(encryptionKey);
    const root = obj(json, 'tenants file');
    if (!Array.isArray(root['tenants'])) throw new TenantConfigError('tenants file: "tenants" must be an array');
    return new TenantRegistry(root['tenants'].map((t, i) => parseTenant(t, i, box, options)));
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

function parseTenant(raw: unknown, index: number, box: SecretBox, options: TenantRegistryOptions): TenantConfig {
  const t = obj(raw, `tenants[${index}]`);
  const id = str(t, 'id', `tenants[${index}]`);
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id))
    throw new TenantConfigError(`tenants[${index}].id "${id}" must be a lowercase slug`);
  const where = `tenant ${id}`;
  const secret = (value: unknown, path: string): Secret => {
    if (typeof value !== 'string') throw new TenantConfigError(`${where}: ${path} is required (encrypted string)`);
    if (!SecretBox.isEncrypted(value))
      throw new TenantConfigError(`${where}: ${path} must be encrypted (enc:v1:…); use the tenant CLI to set it`);
    let plain: string;
    try {
      plain = box.decrypt(value, secretAad(id, path));
    } catch (e) {
      throw new TenantConfigError(`${where}: ${(e as Error).message}`);
    }
    options.onSecret?.(plain);
    return new Secret(plain);
  };

  const st = obj(t['servicetitan'], `${where}.servicetitan`);
  const env = str(st, 'environment', `${where}.servicetitan`, 'integration');
  if (env !== 'production' && env !== 'integration')
    throw new TenantConfigError(`${where}.servicetitan.environment must be production or integration`);
  const wh = obj(st['webhook'] ?? {}, `${where}.servicetitan.webhook`);
  const whSecrets = wh['secrets'] ?? [];
  if (!Array.isArray(whSecrets) || whSecrets.length === 0 || whSecrets.length > 2) {
    throw new TenantConfigError(`${where}.servicetitan.webhook.secrets must hold one or two secrets`);
  }
  const encoding = str(wh, 'encoding', `${where}.servicetitan.webhook`, 'hex');
  if (encoding !== 'hex' && encoding !== 'base64')
    throw new TenantConfigError(`${where}.servicetitan.webhook.encoding must be hex or base64`);
  const pull = obj(st['pull'] ?? {}, `${where}.servicetitan.pull`);

  const x3 = obj(t['sageX3'], `${where}.sageX3`);
  const auth = obj(x3['auth'], `${where}.sageX3.auth`);
  const mode = str(auth, 'mode', `${where}.sageX3.auth`);
  let x3Auth: SageX3Auth;
  if (mode === 'basic') {
    x3Auth = {
      mode,
      user: str(auth, 'user', `${where}.sageX3.auth`),
      password: secret(auth['password'], 'sageX3.auth.password'),
    };
  } else if (mode === 'oauth2') {
    const grant = str(auth, 'grant', `${where}.sageX3.auth`, 'refresh_token');
    if (grant !== 'client_credentials' && grant !== 'refresh_token')
      throw new TenantConfigError(`${where}.sageX3.auth.grant must be client_credentials or refresh_token`);
    x3Auth = {
      mode,
      grant,
      tokenUrl: url(auth, 'tokenUrl', `${where}.sageX3.auth`) ?? str(auth, 'tokenUrl', `${where}.sageX3.auth`),
      clientId: str(auth, 'clientId', `${where}.sageX3.auth`),
      clientSecret: secret(auth['clientSecret'], 'sageX3.auth.clientSecret'),
      refreshToken: grant === 'refresh_token' ? secret(auth['refreshToken'], 'sageX3.auth.refreshToken') : undefined,
    };
  } else if (mode === 'jwt') {
    x3Auth = {
      mode,
      clientId: str(auth, 'clientId', `${where}.sageX3.auth`),
      secret: secret(auth['secret'], 'sageX3.auth.secret'),
      user: str(auth, 'user', `${where}.sageX3.auth`),
      audience: str(auth, 'audience', `${where}.sageX3.auth`),
    };
  } else {
    throw new TenantConfigError(`${where}.sageX3.auth.mode must be basic, oauth2 or jwt`);
  }
  const journal = obj(x3['journal'] ?? {}, `${where}.sageX3.journal`);
  const x3Poll = obj(x3['poll'] ?? {}, `${where}.sageX3.poll`);
  const classes = {
    ...DEFAULT_X3_CLASSES,
    ...(obj(x3['classes'] ?? {}, `${where}.sageX3.classes`) as TenantConfig['sageX3']['classes']),
  };
  const rules = t['mappingRulesFile'];
  const baseDir = options.baseDir ?? process.cwd();

  return {
    id,
    name: typeof t['name'] === 'string' ? t['name'] : id,
    servicetitan: {
      environment: env,
      authUrl: url(st, 'authUrl', `${where}.servicetitan`) ?? SERVICETITAN_URLS[env].authUrl,
      apiBaseUrl: url(st, 'apiBaseUrl', `${where}.servicetitan`) ?? SERVICETITAN_URLS[env].apiBaseUrl,
      tenantId: num(st, 'tenantId', `${where}.servicetitan`),
      appKey: secret(st['appKey'], 'servicetitan.appKey'),
      clientId: str(st, 'clientId', `${where}.servicetitan`),
      clientSecret: secret(st['clientSecret'], 'servicetitan.clientSecret'),
      webhook: {
        signatureHeader: str(
          wh,
          'signatureHeader',
          `${where}.servicetitan.webhook`,
          'x-servicetitan-signature',
        ).toLowerCase(),
        encoding,
        secrets: whSecrets.map((s) => secret(s, 'servicetitan.webhook.secrets')),
        maxBodyBytes: num(wh, 'maxBodyBytes', `${where}.servicetitan.webhook`, 1024 * 1024),
      },
      pull: {
        enabled: pull['enabled'] !== false,
        intervalSeconds: num(pull, 'intervalSeconds', `${where}.servicetitan.pull`, 300),
        pageSize: num(pull, 'pageSize', `${where}.servicetitan.pull`, 500),
      },
    },
    sageX3: {
      baseUrl: url(x3, 'baseUrl', `${where}.sageX3`) ?? str(x3, 'baseUrl', `${where}.sageX3`),
      folder: str(x3, 'folder', `${where}.sageX3`),
      caFile:
        typeof x3['caFile'] === 'string'
          ? isAbsolute(x3['caFile'])
            ? x3['caFile']
            : resolve(baseDir, x3['caFile'])
          : undefined,
      auth: x3Auth,
      classes,
      site: str(x3, 'site', `${where}.sageX3`),
      currency: str(x3, 'currency', `${where}.sageX3`, 'USD'),
      journal: {
        entryType: str(journal, 'entryType', `${where}.sageX3.journal`, 'ODSTX'),
        journal: str(journal, 'journal', `${where}.sageX3.journal`, 'ODS'),
      },
      poll: {
        enabled: x3Poll['enabled'] !== false,
        intervalSeconds: num(x3Poll, 'intervalSeconds', `${where}.sageX3.poll`, 300),
        pageSize: num(x3Poll, 'pageSize', `${where}.sageX3.poll`, 100),
      },
    },
    mappingRulesFile: typeof rules === 'string' ? (isAbsolute(rules) ? rules : resolve(baseDir, rules)) : undefined,
  };
}
