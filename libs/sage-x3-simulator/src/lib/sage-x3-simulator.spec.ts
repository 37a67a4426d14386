import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SageX3SeedFile } from './seed.types';
import { SimulatorClock } from './simulator-clock';
import { journalEntryBody } from './testing/sim-test-helpers';

const BASIC = `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`;

describe('Sage X3 simulator', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;

  beforeEach(async () => {
    clock = new SimulatorClock({ start: '2025-06-02T08:00:00Z', frozen: true });
    sim = await startSageX3Simulator({ clock });
  });

  afterEach(async () => {
    await sim.close();
  });

  const api1 = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${sim.url}/api1/x3/erp/SEED/${path}`, {
      ...init,
      headers: { authorization: BASIC, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  describe('stamps', () => {
    it('gives every write a distinct, increasing UPDDATTIM even with a frozen clock', () => {
      const store = sim.folder();
      const a = store.update('GACCOUNT', '601000', { DES: 'a' });
      const b = store.update('GACCOUNT', '606000', { DES: 'b' });
      const c = store.update('GACCOUNT', '601000', { DES: 'c' });
      const stamps = [a, b, c].map((r) => String(r['UPDDATTIM']));
      expect(new Set(stamps).size).toBe(3);
      expect([...stamps].sort((x, y) => Date.parse(x) - Date.parse(y))).toEqual(stamps);
      expect(c['CREDATTIM']).toBe(a['CREDATTIM']);
      expect(Date.parse(String(c['CREDATTIM']))).toBeLessThan(Date.parse(String(c['UPDDATTIM'])));
    });

    it('lets a test force two writes onto the same stamp', () => {
      const store = sim.folder();
      const stamp = '2025-06-02T09:00:00.000Z';
      store.update('BPSUPPLIER', 'SUP001', { BPSNAM: 'x' }, { stamp });
      store.update('BPSUPPLIER', 'SUP002', { BPSNAM: 'y' }, { stamp });
      expect(store.get('BPSUPPLIER', 'SUP001')?.['UPDDATTIM']).toBe(stamp);
      expect(store.get('BPSUPPLIER', 'SUP002')?.['UPDDATTIM']).toBe(stamp);
      // later automatic stamps never go back before a forced one
      expect(Date.parse(String(store.update('BPSUPPLIER', 'SUP001', { BPSNAM: 'z' })['UPDDATTIM']))).toBeGreaterThan(
        Date.parse(stamp),
      );
    });

    it('mimics X3 second precision when asked', async () => {
      const coarse = await startSageX3Simulator({ clock, stampResolutionMs: 1000 });
      const store = coarse.folder();
      const s1 = String(store.update('GACCOUNT', '601000', { DES: 'a' })['UPDDATTIM']);
      const s2 = String(store.update('GACCOUNT', '601000', { DES: 'b' })['UPDDATTIM']);
      await coarse.close();
      expect(s1).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(s2) - Date.parse(s1)).toBe(1000);
    });

    it('exposes the same stamps as GraphQL _createStamp/_updateStamp', async () => {
      const oauth = await fetch(`${sim.url}/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: DEMO_CREDENTIALS.oauth2.clientId,
          client_secret: DEMO_CREDENTIALS.oauth2.clientSecret,
        }).toString(),
      });
      const { access_token: token } = (await oauth.json()) as { access_token: string };
      const res = await fetch(`${sim.url}/xtrem/api`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-xtrem-endpoint': 'SEED', 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($id: ID!) { x3Finance { dimension { read(_id: $id) { _id _createStamp _updateStamp } } } }',
          variables: { id: 'CC~HVAC' },
        }),
      });
      const body = (await res.json()) as { data: { x3Finance: { dimension: { read: Record<string, string> } } } };
      const record = sim.folder().get('CACCE', 'CC~HVAC');
      expect(body.data.x3Finance.dimension.read).toEqual({
        _id: 'CC~HVAC',
        _createStamp: record?.['CREDATTIM'],
        _updateStamp: record?.['UPDDATTIM'],
      });
    });
  });

  describe('api1 strictness', () => {
    it('requires a representation matching the facet and the class', async () => {
      expect((await api1('GACCOUNT')).status).toBe(400);
      expect((await api1('GACCOUNT?representation=GACCOUNT.$details')).status).toBe(400);
      expect((await api1('GACCOUNT?representation=BPSUPPLIER.$query')).status).toBe(404);
      expect((await api1('GACCOUNT?representation=GACCOUNT.$create', { method: 'POST', body: '{}' })).status).toBe(405);
    });

    it('serves a site-specific representation name when published', async () => {
      const seed = createDemoSeed();
      seed.folders[0].representations = { ZGACCE: 'GACCENTRY' };
      const custom = await startSageX3Simulator({ clock, seed });
      const res = await fetch(`${custom.url}/api1/x3/erp/SEED/GACCENTRY?representation=ZGACCE.$create`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/json' },
        body: JSON.stringify({ ...journalEntryBody(), REF: 'R1' }),
      });
      await custom.close();
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toContain('representation=ZGACCE.$details');
    });

    it('rejects unknown properties in a create body', async () => {
      const res = await api1('GACCENTRY?representation=GACCENTRY.$create', {
        method: 'POST',
        body: JSON.stringify({ ...journalEntryBody(), COLOUR: 'red' }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        $diagnoses: [{ $severity: 'error', $message: 'Unknown property COLOUR', $sdataCode: 'ApplicationDiagnosis' }],
      });
    });

    it('rejects a malformed where clause', async () => {
      const res = await api1(
        `BPSUPPLIER?representation=BPSUPPLIER.$query&where=${encodeURIComponent("BPSNUM eq 'unterminated")}`,
      );
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain('unterminated string literal');
    });

    it('does not accept JWT on api1 by default (connected apps are for GraphQL)', async () => {
      const folder = sim.folder();
      expect(folder.authModes.api1).toEqual(['basic', 'oauth2']);
    });
  });

  describe('OAuth2 token endpoint', () => {
    const token = (params: Record<string, string>): Promise<Response> =>
      fetch(`${sim.url}/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: DEMO_CREDENTIALS.oauth2.clientId,
          client_secret: DEMO_CREDENTIALS.oauth2.clientSecret,
          ...params,
        }).toString(),
      });

    it('rotates refresh tokens and refuses a reused one', async () => {
      const { refreshToken } = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      const first = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
      const body = (await first.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, refresh_token_expires_in: 30 * 86_400 });
      expect(body['refresh_token']).not.toBe(refreshToken);
      const reuse = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(reuse.status).toBe(400);
      expect(await reuse.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Refresh token already used (tokens rotate on use); the token chain is revoked',
      });
    });

    it('expires refresh tokens after 30 days and rejects unknown grants', async () => {
      const { refreshToken } = sim.issueRefreshToken(DEMO_CREDENTIALS.oauth2.clientId);
      clock.advance(30 * 86_400_000);
      expect(await (await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).json()).toMatchObject({
        error: 'invalid_grant',
      });
      expect(await (await token({ grant_type: 'password' })).json()).toMatchObject({ error: 'unsupported_grant_type' });
    });
  });

  describe('admin HTTP routes', () => {
    it('exposes call counts, documents, faults, clock and master-data helpers', async () => {
      const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
        fetch(`${sim.url}/__admin/${path}`, { ...init, headers: { 'content-type': 'application/json' } });

      expect((await admin('folders/SEED/GACCOUNT/601000/inactivate', { method: 'POST' })).status).toBe(200);
      expect(sim.folder().get('GACCOUNT', '601000')?.['ENAFLG']).toBe(1);
      expect(
        (await admin('folders/SEED/GACCOUNT/601000', { method: 'PATCH', body: JSON.stringify({ ENAFLG: 2 }) })).status,
      ).toBe(200);
      expect(
        (
          await admin('folders/SEED/CACCE', {
            method: 'POST',
            body: JSON.stringify({ DIE: 'CC', CCE: 'ELEC', DES: 'Electrical', ENAFLG: 2 }),
          })
        ).status,
      ).toBe(200);
      expect((await admin('folders/SEED/CACCE/CC~ELEC', { method: 'DELETE' })).status).toBe(204);

      expect(
        (await admin('faults', { method: 'POST', body: JSON.stringify({ kind: 'pool-exhausted', count: 1 }) })).status,
      ).toBe(201);
      const refused = await api1("GACCOUNT('601000')?representation=GACCOUNT.$details");
      expect(refused.status).toBe(500);
      expect(await refused.json()).toEqual({
        $diagnoses: [{ $severity: 'error', $message: 'No Web services accepted', $sdataCode: 'ApplicationDiagnosis' }],
      });

      const created = await api1('GACCENTRY?representation=GACCENTRY.$create', {
        method: 'POST',
        body: JSON.stringify({ ...journalEntryBody(), REF: 'ADM-1' }),
      });
      expect(created.status).toBe(201);
      const docs = (await (await admin('documents?className=GACCENTRY')).json()) as Array<Record<string, unknown>>;
      expect(docs).toMatchObject([{ folder: 'SEED', className: 'GACCENTRY', reference: 'ADM-1', via: 'api1' }]);

      const calls = (await (await admin('calls')).json()) as Record<string, number>;
      expect(calls['api1 GET GACCOUNT $details']).toBeUndefined(); // refused before reaching X3
      expect(calls['api1 POST GACCENTRY $create']).toBe(1);

      const clockRes = (await (
        await admin('clock', { method: 'POST', body: JSON.stringify({ advanceMs: 60_000 }) })
      ).json()) as { now: string };
      expect(clockRes.now).toBe('2025-06-02T08:01:00.000Z');

      const rt = (await (
        await admin('oauth2/refresh-tokens', {
          method: 'POST',
          body: JSON.stringify({ clientId: DEMO_CREDENTIALS.oauth2.clientId }),
        })
      ).json()) as { refreshToken: string };
      expect(rt.refreshToken).toMatch(/^sim-rt-/);
    });

    it('protects admin routes with ADMIN token when configured', async () => {
      const guarded = await startSageX3Simulator({ clock, adminToken: 'test-secret-not-real-admin' });
      const denied = await fetch(`${guarded.url}/__admin/calls`);
      const allowed = await fetch(`${guarded.url}/__admin/calls`, {
        headers: { 'x-admin-token': 'test-secret-not-real-admin' },
      });
      await guarded.close();
      expect(denied.status).toBe(401);
      expect(allowed.status).toBe(200);
    });
  });

  describe('seed files and folders', () => {
    it('loads several folders from a JSON seed file, with per-folder auth modes and user restrictions', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'x3sim-'));
      const demo = createDemoSeed();
      const second = {
        ...createDemoSeed({ folder: 'PROD' }).folders[0],
        auth: { api1: ['basic' as const], graphql: ['jwt' as const] },
      };
      const seed: SageX3SeedFile = {
        auth: { ...demo.auth, basic: [{ user: 'PRODONLY', password: 'test-secret-not-real-003', folders: ['PROD'] }] },
        folders: [demo.folders[0], second],
      };
      const file = join(dir, 'seed.json');
      writeFileSync(file, JSON.stringify(seed));
      const multi = await startSageX3Simulator({ clock, seedFile: file });
      rmSync(dir, { recursive: true });
      const auth = `Basic ${Buffer.from('PRODONLY:test-secret-not-real-003').toString('base64')}`;
      const prod = await fetch(`${multi.url}/api1/x3/erp/PROD/GACCOUNT('601000')?representation=GACCOUNT.$details`, {
        headers: { authorization: auth },
      });
      const seedFolder = await fetch(
        `${multi.url}/api1/x3/erp/SEED/GACCOUNT('601000')?representation=GACCOUNT.$details`,
        { headers: { authorization: auth } },
      );
      await multi.close();
      expect(multi.folderNames()).toEqual(['SEED', 'PROD']);
      expect(prod.status).toBe(200);
      expect(seedFolder.status).toBe(403);
    });
  });
});
