import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { ApiAuthGuard, AuthenticatedRequest, tenantScope } from './api-auth.guard';
import { ApiTokenRegistry, sha256Hex } from './api-token.registry';

const ADMIN = 'test-admin-token-not-real-000';
const ACME = 'test-acme-token-not-real-000';

function ctx(req: Partial<AuthenticatedRequest>): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

describe('API auth', () => {
  const registry = ApiTokenRegistry.fromConfig({
    AUDIT_ADMIN_TOKEN_SHA256: sha256Hex(ADMIN),
    AUDIT_TENANT_TOKENS: `acme:${sha256Hex(ACME)}`,
  });
  const guard = new ApiAuthGuard(registry);

  it('maps the admin token to the admin principal and a tenant token to its tenant', () => {
    const a: Partial<AuthenticatedRequest> = { headers: { authorization: `Bearer ${ADMIN}` } };
    expect(guard.canActivate(ctx(a))).toBe(true);
    expect(a.principal).toEqual({ role: 'admin', actor: 'admin', tenant: null });
    const t: Partial<AuthenticatedRequest> = { headers: { authorization: `bearer ${ACME}` } };
    guard.canActivate(ctx(t));
    expect(t.principal).toEqual({ role: 'tenant', tenant: 'acme', actor: 'tenant:acme' });
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Basic abc'],
    [`Bearer ${ACME}x`],
    [`Token ${ADMIN}`],
    [sha256Hex(ADMIN)],
    [`Bearer ${sha256Hex(ADMIN)}`],
  ])('rejects %p with 401', (authorization) => {
    expect(() => guard.canActivate(ctx({ headers: authorization === undefined ? {} : { authorization } }))).toThrow(
      UnauthorizedException,
    );
  });

  it('a tenant token is always scoped to its own tenant; the admin picks any or all', () => {
    expect(tenantScope({ role: 'tenant', tenant: 'acme', actor: 'tenant:acme' }, 'globex')).toBe('acme');
    expect(tenantScope({ role: 'admin', tenant: null, actor: 'admin' }, 'globex')).toBe('globex');
    expect(tenantScope({ role: 'admin', tenant: null, actor: 'admin' })).toBeNull();
  });

  it('reads labelled tenant tokens from a file and validates every entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-tokens-'));
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify([{ tenant: 'globex', sha256: sha256Hex('test-globex-not-real'), label: 'ops' }]),
    );
    const r = ApiTokenRegistry.fromConfig({ AUDIT_TENANT_TOKENS_FILE: good });
    expect(r.authenticate('test-globex-not-real')).toEqual({ role: 'tenant', tenant: 'globex', actor: 'globex/ops' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ tenant: 'Globex!', sha256: 'abc' }]));
    expect(() => ApiTokenRegistry.fromConfig({ AUDIT_TENANT_TOKENS_FILE: bad })).toThrow(
      'tenant must be a lowercase slug',
    );
    writeFileSync(bad, JSON.stringify([{ tenant: 'globex', sha256: 'abc' }]));
    expect(() => ApiTokenRegistry.fromConfig({ AUDIT_TENANT_TOKENS_FILE: bad })).toThrow(
      'sha256 must be 64 lowercase hex',
    );
  });

  it('with no tokens configured nothing authenticates', () => {
    expect(ApiTokenRegistry.fromConfig({}).authenticate(ADMIN)).toBeNull();
  });
});
