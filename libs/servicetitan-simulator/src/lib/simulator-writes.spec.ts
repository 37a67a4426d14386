import {
  collectExport,
  normalizeMaterial,
  type ServiceTitanApiError,
  type ServiceTitanClient,
} from '@connector/servicetitan';
import { startServiceTitanSimulator, type ServiceTitanSimulator } from './servicetitan-simulator.server';
import { ManualClock } from './simulator.clock';
import { SIMULATOR_SEED_APPLICATION_GUID } from './simulator.store';
import { buildDemoTenantSeed, DEMO_APP_KEY } from './demo-seed.fixture';
import { clientForSimulator } from './simulator-client.fixture';

const TENANT = 1000001;
const CONNECTOR_GUID = 'c0ffee00-0000-4000-8000-000000000001';
const OTHER_GUID = 'beef0000-0000-4000-8000-000000000002';
const address = { street: '5 Dock St', unit: '', city: 'Peoria', state: 'IL', zip: '61602', country: 'USA' };

describe('simulator write endpoints, through the client', () => {
  const clock = new ManualClock('2026-11-20T10:00:00Z');
  let sim: ServiceTitanSimulator;
  let client: ServiceTitanClient;

  beforeEach(async () => {
    sim = await startServiceTitanSimulator({
      clock,
      seed: { appKey: DEMO_APP_KEY, tenants: [buildDemoTenantSeed({ tenantId: TENANT })] },
      rateLimitPerSecond: 100_000,
    });
    client = clientForSimulator(sim, TENANT);
  });
  afterEach(() => sim.close());

  it('reads record no write: the simulator saw no write at all', async () => {
    await client.listVendors();
    await collectExport(client.exportInvoices({ from: '2020-01-01' }));
    await client.getMaterial(9001);
    expect(sim.writes()).toEqual([]);
    expect(sim.stats().writes).toBe(0);
    const admin = (await (await fetch(`${sim.url}/__admin/writes`)).json()) as unknown[];
    expect(admin).toEqual([]);
  });

  it('markInvoicesExported: records externalId/externalMessage, answers per invoice, and the feed shows the change', async () => {
    clock.advance(60_000);
    const checkpoint = new Date(clock.now()).toISOString();
    const results = await client.markInvoicesExported([
      { invoiceId: 501, externalId: 'JE-2026-000123', externalMessage: 'Posted to Sage X3 (GL journal)' },
      { invoiceId: 404_404, externalId: 'JE-X' },
    ]);
    expect(results).toEqual([
      { invoiceId: 501, success: true, errorMessage: null },
      { invoiceId: 404_404, success: false, errorMessage: 'Invoice 404404 was not found.' },
    ]);
    expect(sim.tenant(TENANT).exportMark('invoices', 501)).toMatchObject({
      externalId: 'JE-2026-000123',
      externalMessage: 'Posted to Sage X3 (GL journal)',
    });
    const feed = await collectExport(client.exportInvoices({ from: checkpoint }));
    expect(feed.rows.map((r) => [r.id, r.syncStatus])).toEqual([[501, 'Exported']]);
    const [write] = sim.writes();
    expect(write).toMatchObject({
      method: 'POST',
      path: `/accounting/v2/tenant/${TENANT}/invoices/markasexported`,
      route: 'invoices.markAsExported',
      status: 200,
      tenantId: TENANT,
    });
    expect(write?.body).toEqual([
      { invoiceId: 501, externalId: 'JE-2026-000123', externalMessage: 'Posted to Sage X3 (GL journal)' },
      { invoiceId: 404_404, externalId: 'JE-X', externalMessage: null },
    ]);
  });

  it('markInventoryBillsExported: success per bill, syncStatus Exported, modifiedOn bumped', async () => {
    const before = sim.tenant(TENANT).get('inventoryBills', 901)?.modifiedOn;
    clock.advance(1000);
    expect(await client.markInventoryBillsExported([901, 77])).toEqual([
      { inventoryBillId: 901, success: true, errorMessage: null },
      { inventoryBillId: 77, success: false, errorMessage: 'Inventory bill 77 was not found.' },
    ]);
    const bill = sim.tenant(TENANT).get('inventoryBills', 901);
    expect(bill?.syncStatus).toBe('Exported');
    expect(Date.parse(bill?.modifiedOn ?? '')).toBeGreaterThan(Date.parse(before ?? ''));
    expect(sim.tenant(TENANT).exportMark('inventoryBills', 901)).toMatchObject({ externalId: null });
  });

  it('createVendor + updateVendor: fields mapped, externalData per application guid round trips', async () => {
    const { id } = await client.createVendor({
      name: 'North Supply',
      active: true,
      isTruckReplenishment: false,
      restrictedMobileCreation: false,
      taxRate: '0.0825',
      email: 'ap@north.invalid',
      address,
      externalData: { applicationGuid: CONNECTOR_GUID, externalData: [{ key: 'x3Supplier', value: 'NORTH01' }] },
    });
    expect(id).toBeGreaterThan(302);
    const mine = await client.getVendor(id, CONNECTOR_GUID);
    expect(mine).toMatchObject({
      name: 'North Supply',
      defaultTaxRate: 0.0825,
      isMobileCreationRestricted: false,
      contactInfo: { email: 'ap@north.invalid', firstName: '' },
      address,
      externalData: [{ key: 'x3Supplier', value: 'NORTH01' }],
    });
    // Another application, or no guid, sees none of the connector's entries.
    expect((await client.getVendor(id, OTHER_GUID)).externalData).toEqual([]);
    expect((await client.getVendor(id)).externalData).toEqual([]);
    // Lookup by external data key/value (the link table's "code stored on the record").
    const found = await client.listVendors({
      externalDataApplicationGuid: CONNECTOR_GUID,
      externalDataKey: 'x3Supplier',
      externalDataValues: ['NORTH01', 'NOPE'],
    });
    expect(found.data.map((v) => v.id)).toEqual([id]);

    // Merge keeps other keys and deletes a key sent with null; Replace (the default) sets the whole list.
    await client.updateVendor(id, {
      externalData: {
        applicationGuid: CONNECTOR_GUID,
        patchMode: 'Merge',
        externalData: [{ key: 'x3Terms', value: 'N30' }],
      },
    });
    expect((await client.getVendor(id, CONNECTOR_GUID)).externalData).toEqual([
      { key: 'x3Supplier', value: 'NORTH01' },
      { key: 'x3Terms', value: 'N30' },
    ]);
    await client.updateVendor(id, {
      externalData: {
        applicationGuid: CONNECTOR_GUID,
        patchMode: 'Merge',
        externalData: [{ key: 'x3Terms', value: null }],
      },
    });
    expect((await client.getVendor(id, CONNECTOR_GUID)).externalData).toEqual([
      { key: 'x3Supplier', value: 'NORTH01' },
    ]);
    await client.updateVendor(id, {
      name: 'North Supply Co',
      active: false,
      externalData: { applicationGuid: CONNECTOR_GUID, externalData: [{ key: 'x3Supplier', value: 'NORTH02' }] },
    });
    expect(await client.getVendor(id, CONNECTOR_GUID)).toMatchObject({
      name: 'North Supply Co',
      active: false,
      externalData: [{ key: 'x3Supplier', value: 'NORTH02' }],
    });
    // The seed's own entries live under the seed application guid.
    expect((await client.getVendor(301, SIMULATOR_SEED_APPLICATION_GUID)).externalData).toEqual([
      { key: 'x3Supplier', value: 'ACME01' },
    ]);
  });

  it('vendor writes update modifiedOn: a modifiedOnOrAfter poll with active=Any sees a create and a deactivation', async () => {
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    const { id } = await client.createVendor({
      name: 'Fresh Vendor',
      active: true,
      isTruckReplenishment: false,
      restrictedMobileCreation: false,
      taxRate: '0',
      address,
    });
    await client.updateVendor(301, { active: false });
    const changed = await client.listVendors({ modifiedOnOrAfter: since });
    expect(changed.data.map((v) => [v.id, v.active]).sort()).toEqual([
      [301, false],
      [id, true],
    ]);
    // the API default active=True would have hidden the deactivation
    const defaultActive = await client.get<{ data: { id: number }[] }>('inventory', 'vendors', {
      modifiedOnOrAfter: since,
    });
    expect(defaultActive.data.map((v) => v.id)).toEqual([id]);
  });

  it('createMaterial (201) and updateMaterial: exact decimal costs, vendor name filled in, the materials feed shows the change', async () => {
    clock.advance(60_000);
    const checkpoint = new Date(clock.now()).toISOString();
    const created = await client.createMaterial({
      code: 'FLT-20',
      description: 'Filter 20x20',
      cost: '12.34',
      price: '19.99',
      primaryVendor: { vendorId: 301, cost: 12.34, active: true, vendorPart: 'F2020' },
      externalData: { applicationGuid: CONNECTOR_GUID, externalData: [{ key: 'x3Product', value: 'FLT20' }] },
    });
    expect(normalizeMaterial(created)).toMatchObject({ code: 'FLT-20', cost: '12.34', price: '19.99', active: true });
    expect(created.primaryVendor).toMatchObject({ vendorId: 301, vendorName: 'Acme Supply', cost: 12.34 });
    expect(created.externalData).toEqual([{ key: 'x3Product', value: 'FLT20' }]);

    const updated = await client.updateMaterial(9001, { cost: '1007.15' });
    expect(normalizeMaterial(updated).cost).toBe('1007.15');
    expect(normalizeMaterial(updated).price).toBe('1522.72'); // a field the update did not name is untouched

    const feed = await collectExport(client.exportMaterials({ from: checkpoint }));
    expect(feed.rows.map((m) => [m.id, m.code])).toEqual([
      [created.id, 'FLT-20'],
      [9001, 'COMP-3T'],
    ]);
    const listed = await client.listMaterials({
      modifiedOnOrAfter: checkpoint,
      externalDataApplicationGuid: CONNECTOR_GUID,
    });
    expect(listed.data.map((m) => m.id).sort()).toEqual([9001, created.id].sort());
  });

  it('business rules the schema cannot express: unknown vendor on a material, empty names and codes, unknown ids', async () => {
    const unknownVendor = await client
      .createMaterial({ code: 'X-1', description: 'x', primaryVendor: { vendorId: 999, cost: 1, active: true } })
      .catch((e: unknown) => e as ServiceTitanApiError);
    expect(unknownVendor).toMatchObject({ status: 400, errors: { '$.primaryVendor.vendorId': [expect.any(String)] } });
    const emptyName = await client
      .createVendor({
        name: ' ',
        active: true,
        isTruckReplenishment: false,
        restrictedMobileCreation: false,
        taxRate: '0',
        address,
      })
      .catch((e: unknown) => e as ServiceTitanApiError);
    expect(emptyName).toMatchObject({ status: 400, errors: { '$.name': ['The Name field is required.'] } });
    const unknown = await client
      .updateMaterial(123_456, { active: false })
      .catch((e: unknown) => e as ServiceTitanApiError);
    expect(unknown).toMatchObject({ status: 404, writeOutcomeUnknown: false });
    expect(sim.tenant(TENANT).count('materials')).toBe(2); // nothing was created
    expect(sim.writes().map((w) => [w.route, w.status])).toEqual([
      ['materials.create', 400],
      ['vendors.create', 400],
      ['materials.update', 404],
    ]);
  });
});
