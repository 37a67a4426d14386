import { Secret, SecretBox, secretAad, TenantConfig, TenantRegistry, validateEnv } from '@connector/config';
import { MessageEnvelope, X3CredentialsV1 } from '@connector/contracts';
import { StateViews, TenantOwnerships } from '@connector/messaging';
import { Redactor } from '@connector/observability';
import { X3CredentialConflictError, X3TokenSet } from '@connector/sage-x3';
import { X3AppEnv } from '../x3-app.env';
import { CREDENTIAL_FIELDS, X3CredentialsCodec } from './x3-credentials.codec';
import { X3CredentialsService } from './x3-credentials.service';

const KEY = SecretBox.generateKey();

/** A state view in memory: put() applies at once (as on acknowledgement); ready/sync are driven by the test. */
class FakeView {
  readonly values = new Map<string, unknown>();
  readonly listeners = new Set<() => void>();
  private caughtUp = false;
  syncs = 0;
  private readyWaiters: Array<() => void> = [];
  constructor(readonly decode: (env: MessageEnvelope<unknown>, key: string) => unknown) {}
  get(key: string) {
    return this.values.get(key);
  }
  isReady() {
    return this.caughtUp;
  }
  readyNow() {
    this.caughtUp = true;
    this.readyWaiters.forEach((w) => w());
    this.listeners.forEach((l) => l());
  }
  ready() {
    return this.caughtUp ? Promise.resolve() : new Promise<void>((r) => this.readyWaiters.push(r));
  }
  async sync() {
    this.syncs++;
  }
  onChange(l: () => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  /** A record read from the topic (another process's write). */
  receive(key: string, envelope: MessageEnvelope<unknown>) {
    this.values.set(key, this.decode(envelope, key));
    this.listeners.forEach((l) => l());
  }
  async put(key: string, envelope: MessageEnvelope<unknown>) {
    this.receive(key, envelope);
    return { partition: 0, offset: '1' };
  }
}

function setup(opts: { owner?: boolean; fileToken?: string; expiresAt?: string } = {}) {
  let view!: FakeView;
  const views = {
    open: (o: { decode: (env: MessageEnvelope<unknown>, key: string) => unknown }) => (view = new FakeView(o.decode)),
  };
  let owner = opts.owner ?? true;
  const ownerships = { of: () => ({ isOwner: () => owner }) };
  const tenant = {
    id: 'acme',
    sageX3: {
      auth: {
        mode: 'oauth2',
        grant: 'refresh_token',
        refreshToken: new Secret(opts.fileToken ?? 'file-refresh-token-not-a-real-secret'),
        refreshTokenExpiresAt: opts.expiresAt,
      },
    },
  } as unknown as TenantConfig;
  const basic = { id: 'basic', sageX3: { auth: { mode: 'basic' } } } as unknown as TenantConfig;
  const registry = { list: () => [tenant, basic] } as unknown as TenantRegistry;
  const env = validateEnv(X3AppEnv, { TENANTS_FILE: '/dev/null', CONNECTOR_ENCRYPTION_KEY: KEY });
  const service = new X3CredentialsService(
    registry,
    views as unknown as StateViews,
    ownerships as unknown as TenantOwnerships,
    env,
    'poster',
  );
  const codec = new X3CredentialsCodec(new SecretBox(KEY));
  const record = (set: X3TokenSet): MessageEnvelope<X3CredentialsV1> =>
    ({ tenant: 'acme', payload: codec.encode('acme', set, 'x3-poller') }) as MessageEnvelope<X3CredentialsV1>;
  return { service, view: () => view, setOwner: (o: boolean) => (owner = o), record };
}

const tokens = (generation: number, extra: Partial<X3TokenSet> = {}): X3TokenSet => ({
  accessToken: `access-${generation}-not-a-real-secret`,
  accessTokenExpiresAt: Date.parse('2026-06-01T10:00:00Z'),
  refreshToken: `refresh-${generation}-not-a-real-secret`,
  generation,
  updatedAt: Date.parse('2026-06-01T09:55:00Z'),
  ...extra,
});

describe('X3CredentialsService (the shared token set of refresh-token tenants)', () => {
  afterEach(() => Redactor.clear());

  it('shares only refresh-token tenants', () => {
    const { service } = setup();
    expect(service.shares('acme')).toBe(true);
    expect(service.shares('basic')).toBe(false);
    expect(() => service.storeFor('basic')).toThrow(/does not share/);
  });

  it('knows nothing before the topic is read (never the long-spent file token of a restarted process)', () => {
    const { service, view } = setup();
    const store = service.storeFor('acme');
    expect(store.current()).toBeUndefined();
    expect(store.mayRefresh()).toBe(false);
    view().readyNow();
    // Nothing on the topic: the tenants file's token bootstraps, as generation 0.
    expect(store.current()).toMatchObject({ refreshToken: 'file-refresh-token-not-a-real-secret', generation: 0 });
  });

  it('the bootstrap carries the expiry the file gives', () => {
    const { service, view } = setup({ expiresAt: '2026-07-01T00:00:00Z' });
    view().readyNow();
    expect(service.current('acme')).toMatchObject({
      refreshTokenExpiresAt: Date.parse('2026-07-01T00:00:00Z'),
      refreshTokenExpirySource: 'seeded',
    });
  });

  it('the topic wins over the file once it holds a set; tokens are decrypted and registered with the redactor', () => {
    const { service, view, record } = setup();
    view().readyNow();
    view().receive('acme', record(tokens(7)));
    expect(service.current('acme')).toMatchObject({ generation: 7, refreshToken: 'refresh-7-not-a-real-secret' });
    expect(Redactor.redactString('token refresh-7-not-a-real-secret used')).toBe('token [REDACTED] used');
  });

  it('may refresh only as the owner, and only after reading the topic to its end since becoming the owner', async () => {
    const { service, view, setOwner } = setup({ owner: false });
    view().readyNow();
    expect(service.mayRefresh('acme')).toBe(false);
    setOwner(true);
    expect(service.mayRefresh('acme')).toBe(false); // starts the sync
    await new Promise((r) => setImmediate(r));
    expect(view().syncs).toBe(1);
    expect(service.mayRefresh('acme')).toBe(true);
    setOwner(false);
    expect(service.mayRefresh('acme')).toBe(false);
    setOwner(true);
    expect(service.mayRefresh('acme')).toBe(false); // ownership came back: read to the end again
    await new Promise((r) => setImmediate(r));
    expect(view().syncs).toBe(2);
    expect(service.mayRefresh('acme')).toBe(true);
  });

  it('saves compare-and-set on the generation, encrypted and bound to the tenant', async () => {
    const { service, view } = setup();
    view().readyNow();
    await service.save('acme', tokens(1), 0); // on top of the bootstrap (generation 0)
    await expect(service.save('acme', tokens(2), 0)).rejects.toBeInstanceOf(X3CredentialConflictError);
    await service.save('acme', tokens(2), 1);
    expect(service.current('acme')?.generation).toBe(2);
  });

  it('the codec binds each ciphertext to tenant and field', () => {
    const box = new SecretBox(KEY);
    const record = new X3CredentialsCodec(box).encode('acme', tokens(3), 'x3-poster');
    expect(record.refreshToken).toMatch(/^enc:v1:/);
    expect(JSON.stringify(record)).not.toContain('not-a-real-secret');
    expect(box.decrypt(record.accessToken!, secretAad('acme', CREDENTIAL_FIELDS.accessToken))).toBe(
      'access-3-not-a-real-secret',
    );
    expect(() => box.decrypt(record.accessToken!, secretAad('acme', CREDENTIAL_FIELDS.refreshToken))).toThrow();
    expect(() => box.decrypt(record.accessToken!, secretAad('other', CREDENTIAL_FIELDS.accessToken))).toThrow();
  });

  it('waitForNewer resolves with the next generation, or undefined after the timeout', async () => {
    const { service, view, record } = setup();
    view().readyNow();
    view().receive('acme', record(tokens(4)));
    const waiting = service.waitForNewer('acme', 4, 5000);
    setTimeout(() => view().receive('acme', record(tokens(5))), 10);
    expect((await waiting)?.generation).toBe(5);
    expect(await service.waitForNewer('acme', 5, 20)).toBeUndefined();
  });

  it('a process waiting before the topic is read gets the set once it is', async () => {
    const { service, view, record } = setup();
    const waiting = service.waitForNewer('acme', undefined, 5000);
    view().receive('acme', record(tokens(9)));
    view().readyNow();
    expect((await waiting)?.generation).toBe(9);
  });

  it('a seed (the tenant CLI) goes on top of what the topic holds', async () => {
    const { service, view, record } = setup();
    view().readyNow();
    view().receive('acme', record(tokens(12)));
    const seeded = await service.seed('acme', 'approved-again-not-a-real-secret', new Date('2026-08-01T00:00:00Z'));
    expect(seeded).toMatchObject({ generation: 13, refreshTokenExpirySource: 'seeded' });
    expect(service.current('acme')).toMatchObject({
      generation: 13,
      refreshToken: 'approved-again-not-a-real-secret',
      accessToken: undefined,
    });
    await expect(service.seed('basic', 'x')).rejects.toThrow(/does not use the OAuth2 refresh_token grant/);
  });
});
