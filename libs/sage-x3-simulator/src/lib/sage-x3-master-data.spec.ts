import { SageX3Client, X3DiagnosesError, isX3Yes, x3Decimal } from '@connector/sage-x3';
import { createDemoSeed } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { basicClient, collect } from './testing/sim-test-helpers';

/** What issue 11 needs from X3: supplier creation with X3's validation, and changes that polling sees. */
describe('Suppliers and products (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  let client: SageX3Client;

  beforeEach(async () => {
    clock = new SimulatorClock({ start: '2026-01-05T08:00:00Z', frozen: true });
    sim = await startSageX3Simulator({ clock, seed: createDemoSeed() });
    client = basicClient(sim, { entities: { supplier: { creates: true } } });
  });

  afterEach(async () => {
    client.close();
    await sim.close();
  });

  const vendor = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    code: 'ST-V-1001',
    name: 'Northwind Heating Supply',
    currency: 'USD',
    country: 'US',
    taxId: '12-3456789',
    ...overrides,
  });

  it('creates a BPSUPPLIER from logical fields, idempotently on the code', async () => {
    const created = await client.createSupplier(vendor());
    expect(created).toMatchObject({ outcome: 'created', posts: 1 });
    expect(created.resource).toMatchObject({
      BPSNUM: 'ST-V-1001',
      BPSNAM: 'Northwind Heating Supply',
      CUR: 'USD',
      CRY: 'US',
      CRN: '12-3456789',
    });
    expect(isX3Yes(created.resource['ENAFLG'])).toBe(true);
    expect(sim.folder().get('BPSUPPLIER', 'ST-V-1001')).toBeDefined();
    // Running the sync again changes nothing.
    expect(await client.createSupplier(vendor())).toMatchObject({ outcome: 'already-existed', posts: 0 });
    expect(sim.createdDocuments({ className: 'BPSUPPLIER' })).toHaveLength(1);
    expect(sim.stats().writes).toEqual({ BPSUPPLIER: 1 });
  });

  it("refuses what X3 refuses, with X3's wording and error severity", async () => {
    const rejected = async (values: Record<string, unknown>): Promise<string[]> => {
      const error = await client.createSupplier(values, { lookupFirst: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X3DiagnosesError);
      expect((error as X3DiagnosesError).kind).toBe('business');
      expect((error as X3DiagnosesError).diagnoses.every((d) => d.severity === 'error')).toBe(true);
      return (error as X3DiagnosesError).errorMessages;
    };
    expect(await rejected(vendor({ name: undefined, country: undefined }))).toEqual([
      'Company name (BPSNAM) is mandatory',
      'Country (CRY) is mandatory',
    ]);
    expect(await rejected(vendor({ code: 'SUP001' }))).toEqual(['Supplier SUP001 already exists']);
    expect(await rejected(vendor({ currency: 'XXX' }))).toEqual(['Currency XXX does not exist']);
    expect(await rejected(vendor({ code: 'st-v-lower' }))).toEqual([
      'Supplier code st-v-lower: only capital letters, digits, - and _',
    ]);
    expect(await rejected(vendor({ name: 'N'.repeat(36) }))).toEqual([
      'BPSNAM: 36 characters, the field holds at most 35',
    ]);
    await client.createSupplier(vendor());
    expect(await rejected(vendor({ code: 'ST-V-1002' }))).toEqual([
      'Tax identification number 12-3456789 is already used by supplier ST-V-1001',
    ]);
    expect(sim.createdDocuments({ className: 'BPSUPPLIER' })).toHaveLength(1);
  });

  it('a supplier without the code among its fields cannot be found again: config error before any POST', async () => {
    const error = await client.createSupplier({ name: 'No code' }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('no value for lookup field BPSNUM');
    expect(sim.stats().writes).toEqual({});
  });

  it('supplier and product changes made in X3 move UPDDATTIM so change polling sees them', async () => {
    clock.advance(5_000);
    const since = new Date(clock.now());
    clock.advance(1_000);
    sim.folder().update('BPSUPPLIER', 'SUP002', { BPSNAM: 'Bolt & Nut Company' });
    sim.folder().inactivate('BPSUPPLIER', 'SUP001');
    sim.setProductCost('FILTER-16', '13.75');
    const suppliers = await collect(client.queryChangedSince('supplier', since));
    expect(suppliers.map((s) => [s['BPSNUM'], s['BPSNAM'], isX3Yes(s['ENAFLG'])])).toEqual([
      ['SUP002', 'Bolt & Nut Company', true],
      ['SUP001', 'Acme Parts', false],
    ]);
    const products = await collect(client.queryChangedSince('product', since));
    const costField = client.entityConfig('product').fields['cost'];
    expect(products.map((p) => [p['ITMREF'], x3Decimal(p[costField])])).toEqual([['FILTER-16', '13.75']]);
  });

  it('publishes the product cost (PURBASPRI) the material sync reads, as a decimal string', async () => {
    const seed = createDemoSeed();
    seed.folders[0].products?.push({ ITMREF: 'COIL-X', PURBASPRI: '1850.00' });
    const other = await startSageX3Simulator({ clock, seed });
    const x3 = basicClient(other);
    const coil = await x3.details('product', 'COIL-X');
    x3.close();
    await other.close();
    expect(coil['PURBASPRI']).toBe('1850.00');
  });
});
