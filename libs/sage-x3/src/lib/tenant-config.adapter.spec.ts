import { TenantConfig } from '@connector/config';
import { resolveSageX3Config } from './sage-x3.config';
import { X3ConfigError } from './sage-x3.errors';
import { authFromTenant, clientConfigFromTenant, entityOverrides } from './tenant-config.adapter';

const secret = (v: string) => ({ reveal: () => v });

function tenant(sageX3: Record<string, unknown>): TenantConfig {
  return {
    id: 'acme',
    sageX3: {
      baseUrl: 'https://x3.example.test',
      folder: 'SEED',
      auth: { mode: 'basic', user: 'svc', password: secret('test-password-not-a-real-secret') },
      classes: {},
      ...sageX3,
    },
  } as unknown as TenantConfig;
}

describe('tenant config → Sage X3 client config', () => {
  it("passes the tenant's fields per class; what it leaves out keeps the client's defaults", () => {
    const cfg = resolveSageX3Config(
      clientConfigFromTenant(
        tenant({
          classes: {
            purchaseInvoice: {
              class: 'PINVOICE',
              representation: 'ZPINV',
              fields: { supplierInvoiceNumber: 'ZSUPINV', description: null },
              lines: { fields: { netPrice: 'ZNETPRI' } },
              lookupFields: ['BPR', 'ZSUPINV'],
              statusField: 'ZSTA',
            },
            glAccount: { class: 'ZGACC', representation: 'ZGACC' },
          },
        }),
      ),
    );
    const pinv = cfg.entities.purchaseInvoice;
    expect(pinv).toMatchObject({ representation: 'ZPINV', lookupFields: ['BPR', 'ZSUPINV'], statusField: 'ZSTA' });
    expect(pinv.fields).toMatchObject({ supplier: 'BPR', supplierInvoiceNumber: 'ZSUPINV', controlTotal: 'AMTNOT' });
    expect(pinv.fields).not.toHaveProperty('description');
    expect(pinv.lines?.fields).toMatchObject({ netPrice: 'ZNETPRI', quantity: 'QTYUOM' });
    expect(cfg.entities.account).toMatchObject({ className: 'ZGACC', representation: 'ZGACC' });
    // Defaults untouched: journal entries found by REF, supplier invoices by BPR + BPRVCR, status STA.
    expect(cfg.entities.journalEntry).toMatchObject({
      lookupFields: ['REF'],
      referenceField: 'REF',
      statusField: 'STA',
    });
  });

  it('a logical field name the connector does not know is refused, naming its tenants-file path', () => {
    expect(() =>
      entityOverrides({
        purchaseInvoice: { class: 'PINVOICE', representation: 'PINVOICE', fields: { supplierInvoiceNo: 'ZSUP' } },
      } as unknown as TenantConfig['sageX3']['classes']),
    ).toThrow(X3ConfigError);
    expect(() =>
      entityOverrides({
        journalEntry: { class: 'GACCENTRY', representation: 'GACCENTRY', lines: { fields: { costCentre: 'CCE' } } },
      } as unknown as TenantConfig['sageX3']['classes']),
    ).toThrow(/sageX3\.classes\.journalEntry\.lines\.fields\.costCentre is not a field the connector uses/);
  });

  it("gives OAuth2 the tenant's refresh-token settings (lifetime in seconds)", () => {
    const auth = authFromTenant(
      tenant({
        auth: {
          mode: 'oauth2',
          tokenUrl: 'https://x3.example.test/v1/token',
          clientId: 'c',
          clientSecret: secret('test-secret-not-a-real-secret'),
          grant: 'refresh_token',
          refreshToken: secret('test-refresh-not-a-real-secret'),
          refreshTokenExpiresAt: '2026-07-01T00:00:00Z',
          refreshTokenLifetimeDays: 30,
          refreshTokenRotation: 'renews',
          refreshTokenWarnDays: 10,
          refreshMarginSeconds: 45,
        },
      }),
      { waitForTokenMs: 1234 },
    );
    expect(auth).toMatchObject({
      mode: 'oauth2',
      refreshToken: 'test-refresh-not-a-real-secret',
      refreshTokenExpiresAt: '2026-07-01T00:00:00Z',
      refreshTokenLifetimeSeconds: 2_592_000,
      refreshTokenRotation: 'renews',
      refreshTokenWarnDays: 10,
      refreshMarginSeconds: 45,
      waitForTokenMs: 1234,
    });
  });
});
