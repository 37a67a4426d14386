import { SecretBox } from '../secrets/secret-box';
import { secretAad, SECRET_PATHS } from './tenant-config';
import { TenantConfigError } from './tenant-registry';

type Json = Record<string, unknown>;
type TenantsFile = { tenants: Json[] };

const ARRAY_PATHS = new Set(['servicetitan.webhook.secrets']);

function locate(tenant: Json, path: string, create: boolean): { parent: Json; key: string } | null {
  const parts = path.split('.');
  let cur: Json = tenant;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') {
      if (!create) return null;
      cur[p] = {};
    }
    cur = cur[p] as Json;
  }
  return { parent: cur, key: parts[parts.length - 1] };
}

/** Edits a tenants file: adds tenants and sets, rotates or re-keys their encrypted secrets. Pure JSON in, JSON out. */
export class TenantSecretsEditor {
  constructor(private readonly file: TenantsFile) {
    if (!file || !Array.isArray(file.tenants)) throw new TenantConfigError('tenants file: "tenants" must be an array');
  }

  static empty(): TenantSecretsEditor {
    return new TenantSecretsEditor({ tenants: [] });
  }

  toJSON(): TenantsFile {
    return this.file;
  }

  private tenant(id: string): Json {
    const t = this.file.tenants.find((x) => x['id'] === id);
    if (!t) throw new TenantConfigError(`unknown tenant "${id}"`);
    return t;
  }

  /** Adds a tenant from a plaintext template; every secret path present in it is encrypted. */
  addTenant(template: Json, box: SecretBox): void {
    const id = template['id'];
    if (typeof id !== 'string') throw new TenantConfigError('tenant template needs an "id"');
    if (this.file.tenants.some((x) => x['id'] === id)) throw new TenantConfigError(`tenant "${id}" already exists`);
    const copy = JSON.parse(JSON.stringify(template)) as Json;
    for (const path of SECRET_PATHS) {
      const loc = locate(copy, path, false);
      if (!loc || loc.parent[loc.key] === undefined) continue;
      const v = loc.parent[loc.key];
      const enc = (s: unknown) => (SecretBox.isEncrypted(s) ? s : box.encrypt(String(s), secretAad(id, path)));
      loc.parent[loc.key] = Array.isArray(v) ? v.map(enc) : enc(v);
    }
    this.file.tenants.push(copy);
  }

  /**
   * Sets a secret. For the webhook secrets list, `rotate` puts the new secret first and keeps the previous
   * one as the second active secret (the overlap during which ServiceTitan may still sign with it).
   */
  setSecret(tenantId: string, path: string, plaintext: string, box: SecretBox, opts: { rotate?: boolean } = {}): void {
    if (!(SECRET_PATHS as readonly string[]).includes(path))
      throw new TenantConfigError(`"${path}" is not a secret field (one of ${SECRET_PATHS.join(', ')})`);
    if (!plaintext) throw new TenantConfigError('empty secret value');
    const loc = locate(this.tenant(tenantId), path, true);
    if (!loc) throw new TenantConfigError(`cannot set ${path}`);
    const enc = box.encrypt(plaintext, secretAad(tenantId, path));
    if (ARRAY_PATHS.has(path)) {
      const current = Array.isArray(loc.parent[loc.key]) ? (loc.parent[loc.key] as unknown[]) : [];
      loc.parent[loc.key] = opts.rotate ? [enc, ...current.slice(0, 1)] : [enc];
    } else {
      loc.parent[loc.key] = enc;
    }
  }

  /** Ends a webhook-secret rotation overlap: only the newest secret stays active. */
  retireOldWebhookSecret(tenantId: string): void {
    const loc = locate(this.tenant(tenantId), 'servicetitan.webhook.secrets', false);
    const v = loc?.parent[loc.key];
    if (!loc || !Array.isArray(v) || v.length === 0)
      throw new TenantConfigError(`tenant "${tenantId}" has no webhook secrets`);
    loc.parent[loc.key] = [v[0]];
  }

  /** Re-encrypts every secret of every tenant under a new key (encryption-key rotation). */
  rekey(oldBox: SecretBox, newBox: SecretBox): number {
    let count = 0;
    for (const t of this.file.tenants) {
      const id = String(t['id']);
      for (const path of SECRET_PATHS) {
        const loc = locate(t, path, false);
        if (!loc || loc.parent[loc.key] === undefined) continue;
        const aad = secretAad(id, path);
        const re = (s: unknown) => {
          count++;
          return newBox.encrypt(oldBox.decrypt(String(s), aad), aad);
        };
        const v = loc.parent[loc.key];
        loc.parent[loc.key] = Array.isArray(v) ? v.map(re) : re(v);
      }
    }
    return count;
  }
}
