/* `npm run check -- <tenant>` and GET /admin/check/:tenant against both simulators and the real broker: a correct
 * X3 passes every line; an X3 whose PINVOICE representation lacks a configured field, mapping rules naming inactive
 * codes, or a wrong ServiceTitan app key fail, each line naming what is wrong. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv } from '@connector/config';
import { DEMO_CREDENTIALS, SageX3Simulator, startSageX3Simulator } from '@connector/sage-x3-simulator';
import {
  buildDemoTenantSeed,
  ServiceTitanSimulator,
  startServiceTitanSimulator,
} from '@connector/servicetitan-simulator';
import {
  AppUnderTest,
  startAppUnderTest,
  TEST_CREDENTIALS,
  testAppEnv,
  testTenant,
  uniquePrefix,
  writeTestTenantsFile,
} from '@connector/testing';
import { AppModule } from '../app/app.module';
import { X3PollerEnv } from '../app/x3-poller.env';
import { checkEnv, runGoLiveCheck } from './go-live-check.cli';
import { CheckReport } from './go-live-check.service';

jest.setTimeout(180000);

const ADMIN_TOKEN = 'check-admin-token-not-a-real-secret';
const basic = { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password };

/** Rules naming codes of the X3 demo folder (createDemoSeed). */
function rules(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    costCenters: { dimensionType: 'CC', businessUnits: { '1': 'HVAC', '2': { costCenter: 'PLUMB' } } },
    accounts: {
      material: { debit: '601000', credit: '401000' },
      labor: { debit: '606000', credit: '401000' },
      glAccounts: { '5000': '601000' },
    },
    labor: { source: 'invoice-items' },
    suppliers: { byVendorId: { '301': 'SUP001' } },
    products: { bySkuCode: { 'FLT-16': 'FILTER-16' } },
    purchaseOrders: { byServiceTitanId: { '1101': 'PO0001' } },
    ...overrides,
  };
}

describe('go-live check (npm run check, GET /admin/check/:tenant)', () => {
  const prefix = uniquePrefix('check');
  let st: ServiceTitanSimulator;
  let good: SageX3Simulator;
  let broken: SageX3Simulator;
  let poller: AppUnderTest;
  let env: X3PollerEnv;

  beforeAll(async () => {
    st = await startServiceTitanSimulator({
      seed: {
        appKey: TEST_CREDENTIALS.stAppKey,
        tenants: [
          buildDemoTenantSeed({
            tenantId: TEST_CREDENTIALS.stTenantId,
            clientId: TEST_CREDENTIALS.stClientId,
            clientSecret: TEST_CREDENTIALS.stClientSecret,
          }),
        ],
      },
    });
    good = await startSageX3Simulator();
    broken = await startSageX3Simulator();
    // This customer's PINVOICE publishes no supplier invoice number.
    broken.representation('PINVOICE').removeField('BPRVCR');
    const tenants = writeTestTenantsFile([
      testTenant({
        id: 'acme',
        stUrl: st.url,
        x3Url: good.url,
        x3Auth: basic,
        extra: { mappingRulesFile: 'acme.json' },
      }),
      testTenant({
        id: 'bravo',
        stUrl: st.url,
        x3Url: broken.url,
        x3Auth: basic,
        extra: { mappingRulesFile: 'bravo.json' },
      }),
      testTenant({
        id: 'carol',
        stUrl: st.url,
        x3Url: good.url,
        x3Auth: basic,
        extra: { mappingRulesFile: 'carol.json' },
      }),
    ]);
    writeFileSync(join(tenants.dir, 'acme.json'), JSON.stringify(rules()));
    writeFileSync(join(tenants.dir, 'bravo.json'), JSON.stringify(rules()));
    writeFileSync(
      join(tenants.dir, 'carol.json'),
      JSON.stringify(
        rules({
          accounts: { material: { debit: '609000', credit: '401000' }, labor: { debit: '999999', credit: '401000' } },
          suppliers: { byVendorId: { '301': 'SUP009' } },
        }),
      ),
    );
    env = validateEnv(X3PollerEnv, {
      ...testAppEnv(prefix),
      TENANTS_FILE: tenants.file,
      CONNECTOR_ENCRYPTION_KEY: tenants.key,
      X3_POLL_ENABLED: 'false',
      X3_POLLER_ADMIN_TOKEN_SHA256: createHash('sha256').update(ADMIN_TOKEN).digest('hex'),
    });
    poller = await startAppUnderTest(AppModule.forRoot(env), 'x3-poller');
  });

  afterAll(async () => {
    await poller?.close();
    await Promise.all([st?.close(), good?.close(), broken?.close()]);
  });

  const cliEnv = () =>
    checkEnv({
      ...testAppEnv(prefix),
      TENANTS_FILE: env.TENANTS_FILE,
      CONNECTOR_ENCRYPTION_KEY: env.CONNECTOR_ENCRYPTION_KEY,
      LOG_LEVEL: 'error',
    });

  async function adminCheck(tenant: string, token = ADMIN_TOKEN): Promise<{ status: number; body: CheckReport }> {
    const res = await fetch(`${poller.url}/admin/check/${tenant}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as CheckReport };
  }

  it('against a correct X3 and ServiceTitan, every line passes and the CLI exits 0', async () => {
    const { code, text, ok } = await runGoLiveCheck(cliEnv(), 'acme');
    expect({ code, ok }).toEqual({ code: 0, ok: true });
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    for (const check of [
      'servicetitan.token',
      'servicetitan.app-key',
      'servicetitan.read jpm',
      'servicetitan.read accounting',
      'servicetitan.read inventory',
      'servicetitan.read settings',
      'x3.authentication',
      'x3.folder',
      'x3.representation journalEntry',
      'x3.representation purchaseInvoice',
      'x3.representation purchaseOrder',
      'x3.account 601000',
      'x3.account 401000',
      'x3.cost-center CC~HVAC',
      'x3.cost-center CC~PLUMB',
      'x3.supplier SUP001',
      'x3.product FILTER-16',
      'x3.purchase-order PO0001',
    ])
      expect(lines.some((l) => l.startsWith('PASS') && l.includes(check))).toBe(true);
    // Labor from invoice items: the payroll API is not one the tenant uses.
    expect(text).not.toContain('servicetitan.read payroll');
    expect(lines[lines.length - 1]).toMatch(/^acme: all \d+ checks passed$/);
  });

  it('against an X3 whose PINVOICE lacks a configured field, the check fails naming the field (CLI exit 1, admin endpoint)', async () => {
    const { code, text } = await runGoLiveCheck(cliEnv(), 'bravo');
    expect(code).toBe(1);
    const failed = text.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((l) => l.includes('x3.field purchaseInvoice'))).toBe(true);
    expect(failed.join('\n')).toMatch(
      /PINVOICE .*has no field BPRVCR \(configured as (lookupFields\[1\]|fields\.supplierInvoiceNumber)\)/,
    );

    const viaAdmin = await adminCheck('bravo');
    expect(viaAdmin.status).toBe(200);
    expect(viaAdmin.body.ok).toBe(false);
    expect(viaAdmin.body.lines.filter((l) => !l.ok).map((l) => l.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/has no field BPRVCR/)]),
    );
    expect((await adminCheck('acme')).body.ok).toBe(true);
  });

  it('mapping rules naming inactive or unknown codes fail, each line saying which and where', async () => {
    const report = (await adminCheck('carol')).body;
    const failed = Object.fromEntries(report.lines.filter((l) => !l.ok).map((l) => [l.check, l.detail]));
    expect(failed).toEqual({
      'x3.account 609000': 'inactive in GACCOUNT (accounts.material.debit)',
      'x3.account 999999': 'not found in GACCOUNT (accounts.labor.debit)',
      'x3.supplier SUP009': 'inactive in BPSUPPLIER (suppliers.byVendorId.301)',
    });
  });

  it('the admin endpoint needs the admin token; an unknown tenant is a 404', async () => {
    expect((await adminCheck('acme', 'wrong-token')).status).toBe(401);
    expect((await adminCheck('nobody')).status).toBe(404);
  });
});
