import { TenantConfig, TenantRegistry } from '@connector/config';
import {
  AuthenticationError,
  isX3Yes,
  SageX3Client,
  X3EntityName,
  X3Error,
  X3NotFoundError,
  X3_ENTITY_NAMES,
} from '@connector/sage-x3';
import { SageX3ClientsRegistry, X3FieldVerification } from '@connector/sage-x3-runtime';
import {
  ServiceTitanApiError,
  ServiceTitanAuthError,
  ServiceTitanClient,
  ServiceTitanRateLimiterRegistry,
  serviceTitanConfigFromTenant,
} from '@connector/servicetitan';
import { Injectable } from '@nestjs/common';
import { mappingRulesReferences, RulesReference } from './mapping-rules.references';

/** One line of the go-live check: what was checked, whether it passed, and why. */
export interface CheckLine {
  check: string;
  ok: boolean;
  detail: string;
}

export interface CheckReport {
  tenant: string;
  ok: boolean;
  lines: CheckLine[];
}

const ENTITY_OF_REFERENCE: Record<RulesReference['kind'], X3EntityName> = {
  account: 'account',
  'cost-center': 'costCenter',
  supplier: 'supplier',
  product: 'product',
  'purchase-order': 'purchaseOrder',
};

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 500);

/**
 * "The step before go-live" (`npm run check -- <tenant>`, `GET /admin/check/:tenant` on the x3-poller): with the
 * tenant's real credentials, one line per check — ServiceTitan token, app key, one read per API the connector uses;
 * Sage X3 authentication, folder, each representation and its configured fields, and every account, cost center,
 * supplier, product and purchase order the mapping rules name, active in X3. Read-only on both sides.
 *
 * Its ServiceTitan reads (at most seven) go out from the process that runs it, outside the webhook-gateway's
 * per-tenant request budget: a few calls, well within the API's 60 per second, but not counted by that owner.
 */
@Injectable()
export class GoLiveCheckService {
  constructor(
    private readonly tenants: TenantRegistry,
    private readonly clients: SageX3ClientsRegistry,
    private readonly fields: X3FieldVerification,
  ) {}

  async run(tenantId: string): Promise<CheckReport> {
    const tenant = this.tenants.require(tenantId);
    const lines: CheckLine[] = [];
    let rulesError: string | undefined;
    let rules: ReturnType<typeof mappingRulesReferences> | undefined;
    if (!tenant.mappingRulesFile) rulesError = 'the tenant has no mappingRulesFile';
    else
      try {
        rules = mappingRulesReferences(tenant.mappingRulesFile);
      } catch (e) {
        rulesError = `${tenant.mappingRulesFile}: ${errorText(e)}`;
      }
    lines.push(...(await this.serviceTitan(tenant, rules?.laborFromPayroll ?? true)));
    lines.push(...(await this.sageX3(tenant, rules?.references, rulesError)));
    return { tenant: tenant.id, ok: lines.every((l) => l.ok), lines };
  }

  // ---------------------------------------------------------------- ServiceTitan

  private async serviceTitan(tenant: TenantConfig, payroll: boolean): Promise<CheckLine[]> {
    const lines: CheckLine[] = [];
    const client = new ServiceTitanClient(
      serviceTitanConfigFromTenant(tenant, {
        // Few retries and an own bucket: a check answers quickly and never waits behind the pipeline.
        retry: { maxRetries: 1, baseDelayMs: 200, maxDelayMs: 1000, maxRetryAfterMs: 5000 },
        rateLimiterRegistry: new ServiceTitanRateLimiterRegistry(),
        maxRequestsPerSecond: 5,
        requestTimeoutMs: 30000,
      }),
    );
    const st = tenant.servicetitan;
    try {
      await client.listBusinessUnits({ pageSize: 1 });
      lines.push({ check: 'servicetitan.token', ok: true, detail: `client ${st.clientId} obtained a token` });
      lines.push({ check: 'servicetitan.app-key', ok: true, detail: 'the application key is accepted' });
      lines.push({ check: 'servicetitan.read settings', ok: true, detail: 'business units readable' });
    } catch (e) {
      if (e instanceof ServiceTitanAuthError) {
        lines.push({ check: 'servicetitan.token', ok: false, detail: errorText(e) });
        lines.push({ check: 'servicetitan.app-key', ok: false, detail: 'not checked: no token' });
        return lines;
      }
      lines.push({ check: 'servicetitan.token', ok: true, detail: `client ${st.clientId} obtained a token` });
      if (e instanceof ServiceTitanApiError && (e.status === 401 || e.status === 403)) {
        lines.push({ check: 'servicetitan.app-key', ok: false, detail: errorText(e) });
        return lines;
      }
      lines.push({ check: 'servicetitan.app-key', ok: true, detail: 'the application key is accepted' });
      lines.push({ check: 'servicetitan.read settings', ok: false, detail: errorText(e) });
    }
    const reads: Array<[string, string, () => Promise<unknown>]> = [
      ['jpm', 'jobs', () => client.listJobs({ pageSize: 1 })],
      ['accounting', 'invoices', () => client.listInvoices({ pageSize: 1 })],
      ['accounting', 'inventory bills', () => client.listInventoryBillsPaginated({ pageSize: 1 })],
      ['inventory', 'purchase orders', () => client.listPurchaseOrders({ pageSize: 1 })],
      ['inventory', 'vendors', () => client.listVendors({ pageSize: 1 })],
      ...(payroll
        ? ([['payroll', 'gross pay items', () => client.listGrossPayItems({ pageSize: 1 })]] as Array<
            [string, string, () => Promise<unknown>]
          >)
        : []),
    ];
    for (const [api, what, read] of reads) {
      try {
        await read();
        lines.push({ check: `servicetitan.read ${api}`, ok: true, detail: `${what} readable` });
      } catch (e) {
        lines.push({ check: `servicetitan.read ${api}`, ok: false, detail: `${what}: ${errorText(e)}` });
      }
    }
    return lines;
  }

  // ---------------------------------------------------------------- Sage X3

  private async sageX3(
    tenant: TenantConfig,
    references: RulesReference[] | undefined,
    rulesError: string | undefined,
  ): Promise<CheckLine[]> {
    const lines: CheckLine[] = [];
    const x3 = tenant.sageX3;
    let client: SageX3Client;
    try {
      client = this.clients.forTenant(tenant);
    } catch (e) {
      return [{ check: 'x3.configuration', ok: false, detail: errorText(e) }];
    }
    // Authentication and folder: one read of the first account.
    try {
      for await (const _ of client.query('account', { count: 1, maxRecords: 1 })) break;
      lines.push({ check: 'x3.authentication', ok: true, detail: this.authDetail(tenant, client) });
      lines.push({ check: 'x3.folder', ok: true, detail: `folder ${x3.folder} answers at ${x3.baseUrl}` });
    } catch (e) {
      if (e instanceof AuthenticationError || (e instanceof X3Error && e.kind === 'auth')) {
        lines.push({ check: 'x3.authentication', ok: false, detail: errorText(e) });
        return lines;
      }
      if (e instanceof X3NotFoundError || (e instanceof X3Error && e.kind === 'config')) {
        lines.push({ check: 'x3.authentication', ok: true, detail: this.authDetail(tenant, client) });
        lines.push({ check: 'x3.folder', ok: false, detail: `folder ${x3.folder}: ${errorText(e)}` });
        return lines;
      }
      lines.push({ check: 'x3.authentication', ok: false, detail: `Sage X3 unreachable: ${errorText(e)}` });
      return lines;
    }
    // Representations and fields: the same verification the apps run at start (it also refreshes their verdict).
    for (const entity of X3_ENTITY_NAMES) {
      const cfg = client.entityConfig(entity);
      try {
        const result = await client.verifyFields(entity);
        if (result.ok)
          lines.push({
            check: `x3.representation ${entity}`,
            ok: true,
            detail: `${cfg.className} representation ${cfg.representation}: every configured field exists${result.notes.length ? ` (${result.notes.join('; ')})` : ''}`,
          });
        for (const p of result.problems) lines.push({ check: `x3.field ${entity}`, ok: false, detail: p.message });
      } catch (e) {
        lines.push({ check: `x3.representation ${entity}`, ok: false, detail: errorText(e) });
      }
    }
    void this.fields.verify(tenant.id).catch(() => undefined);
    // The mapping rules' codes, active in X3.
    if (rulesError) {
      lines.push({ check: 'mapping-rules', ok: false, detail: rulesError });
      return lines;
    }
    for (const ref of references ?? []) lines.push(await this.reference(client, ref));
    return lines;
  }

  private authDetail(tenant: TenantConfig, client: SageX3Client): string {
    const auth = tenant.sageX3.auth;
    if (auth.mode !== 'oauth2') return `${auth.mode} credentials accepted`;
    const status = client.credentialsStatus();
    const days = status?.refreshTokenDaysLeft;
    return `OAuth2 ${auth.grant} accepted${days !== undefined ? `; refresh token valid ${Math.floor(days)} more days (${status?.refreshTokenExpiresAt?.toISOString()})` : ''}`;
  }

  private async reference(client: SageX3Client, ref: RulesReference): Promise<CheckLine> {
    const entity = ENTITY_OF_REFERENCE[ref.kind];
    const cfg = client.entityConfig(entity);
    const f = cfg.fields;
    const label = ref.dimensionType ? `${ref.dimensionType}~${ref.code}` : ref.code;
    const check = `x3.${ref.kind} ${label}`;
    const where = ` (${ref.paths.join(', ')})`;
    const values: Record<string, string> =
      ref.kind === 'cost-center'
        ? { [f['dimensionType']]: ref.dimensionType ?? '', [f['code']]: ref.code }
        : { [f[ref.kind === 'purchase-order' ? 'number' : 'code']]: ref.code };
    try {
      const row = await client.findBy(entity, values, { details: false });
      if (!row) return { check, ok: false, detail: `not found in ${cfg.className}${where}` };
      const flag = f['active'] ? row[f['active']] : undefined;
      if (flag !== undefined && !isX3Yes(flag))
        return { check, ok: false, detail: `inactive in ${cfg.className}${where}` };
      return { check, ok: true, detail: `active in ${cfg.className}${where}` };
    } catch (e) {
      return { check, ok: false, detail: `${errorText(e)}${where}` };
    }
  }
}

/** The report as the CLI prints it: one line per check. */
export function formatCheckReport(report: CheckReport): string {
  const width = Math.max(...report.lines.map((l) => l.check.length), 10);
  const body = report.lines.map((l) => `${l.ok ? 'PASS' : 'FAIL'}  ${l.check.padEnd(width)}  ${l.detail}`);
  const failed = report.lines.filter((l) => !l.ok).length;
  return [
    ...body,
    failed
      ? `${report.tenant}: ${failed} of ${report.lines.length} checks FAILED`
      : `${report.tenant}: all ${report.lines.length} checks passed`,
  ].join('\n');
}
