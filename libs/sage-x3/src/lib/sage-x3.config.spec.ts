import { resolveSageX3Config } from './sage-x3.config';
import { X3ConfigError } from './sage-x3.errors';

const basic = { mode: 'basic' as const, user: 'U', password: 'test-secret-not-real-000' };

describe('resolveSageX3Config', () => {
  it('applies defaults: classes, representation = class, REF and UPDDATTIM fields', () => {
    const cfg = resolveSageX3Config({ baseUrl: 'https://x3.example.test:8124', folder: 'SEED', auth: basic });
    expect(cfg.entities.journalEntry).toEqual({
      className: 'GACCENTRY',
      representation: 'GACCENTRY',
      keyFields: ['TYP', 'NUM'],
      referenceField: 'REF',
      updateStampField: 'UPDDATTIM',
      createStampField: 'CREDATTIM',
    });
    expect(cfg.defaultPageSize).toBe(20);
    expect(cfg.baseUrl.href).toBe('https://x3.example.test:8124/');
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
