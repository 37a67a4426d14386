import { resolveSageX3Config } from './sage-x3.config';
import { X3ConfigError } from './sage-x3.errors';

const basic = { mode: 'basic' as const, user: 'U', password: 'test-secret-not-real-000' };

describe('resolveSageX3Config', () => {
  it('applies defaults: classes, representation = class, fields per class, lookups and stamps', () => {
    const cfg = resolveSageX3Config({ baseUrl: 'https://x3.example.test:8124', folder: 'SEED', auth: basic });
    expect(cfg.entities.journalEntry).toMatchObject({
      className: 'GACCENTRY',
      representation: 'GACCENTRY',
      keyFields: ['TYP', 'NUM'],
      lookupFields: ['REF'],
      referenceField: 'REF',
      statusField: 'STA',
      updateStampField: 'UPDDATTIM',
      createStampField: 'CREDATTIM',
      creates: true,
    });
    expect(cfg.entities.journalEntry.fields).toMatchObject({ site: 'FCY', reference: 'REF', description: 'DESVCR' });
    expect(cfg.entities.journalEntry.lines).toMatchObject({ field: 'GACCENTRYD', fields: { amount: 'AMTCUR' } });
    // Public PINVOICE column lists have no REF and no MATSTA: found by supplier + supplier invoice number.
    expect(cfg.entities.purchaseInvoice).toMatchObject({ lookupFields: ['BPR', 'BPRVCR'], statusField: 'STA' });
    expect(cfg.entities.purchaseInvoice.referenceField).toBeUndefined();
    expect(Object.values(cfg.entities.purchaseInvoice.fields)).not.toContain('REF');
    expect(cfg.entities.product.fields['cost']).toBe('PURBASPRI');
    expect(cfg.entities.supplier).toMatchObject({ className: 'BPSUPPLIER', lookupFields: ['BPSNUM'], creates: false });
    expect(cfg.defaultPageSize).toBe(20);
    expect(cfg.baseUrl.href).toBe('https://x3.example.test:8124/');
    expect(cfg.api1Paths.prototype).toBe("$prototypes('{representation}.{facet}')");
  });

  it('merges a site override field by field; null removes a default', () => {
    const cfg = resolveSageX3Config({
      baseUrl: 'https://x3.example.test',
      folder: 'SEED',
      auth: basic,
      entities: {
        purchaseInvoice: {
          representation: 'ZPINV',
          fields: { reference: 'ZREF', description: null },
          lines: { fields: { product: null } },
          lookupFields: ['ZREF'],
          referenceField: 'ZREF',
        },
      },
    });
    const pinv = cfg.entities.purchaseInvoice;
    expect(pinv).toMatchObject({ className: 'PINVOICE', representation: 'ZPINV', lookupFields: ['ZREF'] });
    expect(pinv.fields).toMatchObject({ reference: 'ZREF', supplier: 'BPR' });
    expect(pinv.fields).not.toHaveProperty('description');
    expect(pinv.lines?.fields).not.toHaveProperty('product');
    expect(pinv.lines?.fields['netPrice']).toBe('NETPRI');
  });

  it('refuses field names that are not X3 codes, naming the configuration path', () => {
    expect(() =>
      resolveSageX3Config({
        baseUrl: 'https://h',
        folder: 'SEED',
        auth: basic,
        entities: { purchaseInvoice: { fields: { supplier: 'BPR eq 1 or X' } } },
      }),
    ).toThrow("Sage X3 entity 'purchaseInvoice': fields.supplier 'BPR eq 1 or X' is not an X3 field code");
    expect(() =>
      resolveSageX3Config({
        baseUrl: 'https://h',
        folder: 'SEED',
        auth: basic,
        entities: { supplier: { lookupFields: [] } },
      }),
    ).toThrow('needs at least one lookup field');
  });

  it('lets a site rename classes, representations and fields', () => {
    const cfg = resolveSageX3Config({
      baseUrl: 'https://x3.example.test/proxy',
      folder: 'PROD',
      auth: basic,
      entities: {
        journalEntry: { className: 'ZGACC', referenceField: 'BPRVCR' },
        supplier: { representation: 'ZBPS' },
      },
    });
    expect(cfg.entities.journalEntry).toMatchObject({
      className: 'ZGACC',
      representation: 'ZGACC',
      referenceField: 'BPRVCR',
    });
    expect(cfg.entities.supplier).toMatchObject({ className: 'BPSUPPLIER', representation: 'ZBPS' });
    expect(cfg.baseUrl.pathname).toBe('/proxy/');
  });

  it('rejects invalid configuration with messages that never include secrets', () => {
    const bad = (config: Parameters<typeof resolveSageX3Config>[0]): string => {
      try {
        resolveSageX3Config(config);
      } catch (e) {
        expect(e).toBeInstanceOf(X3ConfigError);
        return (e as Error).message;
      }
      throw new Error('expected a config error');
    };
    expect(bad({ baseUrl: 'nope', folder: 'SEED', auth: basic })).toContain('baseUrl');
    expect(bad({ baseUrl: 'https://h', folder: 'SE ED', auth: basic })).toContain('folder');
    const msg = bad({
      baseUrl: 'https://h',
      folder: 'SEED',
      auth: {
        mode: 'oauth2',
        tokenUrl: 'https://h/v1/token',
        clientId: 'c',
        clientSecret: 'test-secret-not-real-001',
        grant: 'refresh_token',
      },
    });
    expect(msg).toContain('refreshToken');
    expect(msg).not.toContain('test-secret-not-real-001');
  });
});
