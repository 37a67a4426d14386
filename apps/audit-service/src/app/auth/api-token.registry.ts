import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TENANT_PATTERN } from '@connector/contracts';

export type Principal =
  | { role: 'admin'; actor: string; tenant: null }
  | { role: 'tenant'; actor: string; tenant: string };

interface TokenEntry {
  hash: Buffer;
  principal: Principal;
}

export interface ApiTokenConfig {
  AUDIT_ADMIN_TOKEN_SHA256?: string;
  AUDIT_TENANT_TOKENS?: string;
  AUDIT_TENANT_TOKENS_FILE?: string;
}

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const HEX64 = /^[a-f0-9]{64}$/;

/**
 * API tokens, stored only as sha256 hashes (tokens are long random strings, so a fast hash is enough: there is
 * nothing to brute-force). A token is looked up by comparing its hash against every entry in constant time.
 */
export class ApiTokenRegistry {
  private constructor(private readonly entries: TokenEntry[]) {}

  static fromConfig(cfg: ApiTokenConfig): ApiTokenRegistry {
    const entries: TokenEntry[] = [];
    if (cfg.AUDIT_ADMIN_TOKEN_SHA256)
      entries.push({
        hash: Buffer.from(cfg.AUDIT_ADMIN_TOKEN_SHA256, 'hex'),
        principal: { role: 'admin', actor: 'admin', tenant: null },
      });
    for (const pair of (cfg.AUDIT_TENANT_TOKENS ?? '').split(',').filter(Boolean)) {
      const [tenant, hash] = pair.split(':');
      entries.push(ApiTokenRegistry.tenantEntry(tenant, hash, undefined, 'AUDIT_TENANT_TOKENS'));
    }
    if (cfg.AUDIT_TENANT_TOKENS_FILE) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(cfg.AUDIT_TENANT_TOKENS_FILE, 'utf8'));
      } catch (e) {
        throw new Error(`AUDIT_TENANT_TOKENS_FILE could not be read as JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(parsed))
        throw new Error('AUDIT_TENANT_TOKENS_FILE must hold a JSON array of {tenant, sha256, label?}');
      parsed.forEach((item: unknown, i) => {
        const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
        const label = o['label'];
        if (label !== undefined && (typeof label !== 'string' || !/^[A-Za-z0-9._-]{1,40}$/.test(label)))
          throw new Error(`AUDIT_TENANT_TOKENS_FILE[${i}].label must be 1-40 of [A-Za-z0-9._-]`);
        entries.push(
          ApiTokenRegistry.tenantEntry(
            o['tenant'],
            o['sha256'],
            label as string | undefined,
            `AUDIT_TENANT_TOKENS_FILE[${i}]`,
          ),
        );
      });
    }
    return new ApiTokenRegistry(entries);
  }

  private static tenantEntry(tenant: unknown, hash: unknown, label: string | undefined, where: string): TokenEntry {
    if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant))
      throw new Error(`${where}: tenant must be a lowercase slug`);
    if (typeof hash !== 'string' || !HEX64.test(hash))
      throw new Error(`${where}: sha256 must be 64 lowercase hex characters`);
    return {
      hash: Buffer.from(hash, 'hex'),
      principal: { role: 'tenant', tenant, actor: label ? `${tenant}/${label}` : `tenant:${tenant}` },
    };
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal of a presented token, or null. */
  authenticate(token: string): Principal | null {
    if (!token) return null;
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | null = null;
    // Compare against every entry (no early exit) so timing says nothing about which entry matched.
    for (const e of this.entries) if (timingSafeEqual(presented, e.hash) && !found) found = e.principal;
    return found;
  }
}
