import { SageX3Client, X3_ENTITY_NAMES, X3DiagnosesError } from '@connector/sage-x3';
import { createDemoSeed, DEMO_CREDENTIALS } from './demo-seed';
import { SageX3Simulator, startSageX3Simulator } from './sage-x3-simulator';
import { SimulatorClock } from './simulator-clock';
import { basicClient, FOLDER, purchaseInvoiceBody } from './testing/sim-test-helpers';

const BASIC = `Basic ${Buffer.from(`${DEMO_CREDENTIALS.basic.user}:${DEMO_CREDENTIALS.basic.password}`).toString('base64')}`;

describe('Fields per class: describe and verifyFields against the representation (client against simulator)', () => {
  let sim: SageX3Simulator;
  let clock: SimulatorClock;
  const clients: SageX3Client[] = [];
  const client = (overrides: Parameters<typeof basicClient>[1] = {}): SageX3Client => {
    const c = basicClient(sim, overrides);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    clock = new SimulatorClock({ start: '2025-06-02T08:00:00Z', frozen: true });
    sim = await startSageX3Simulator({ clock, seed: createDemoSeed() });
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sim.close();
  });

  it('serves SData prototypes per facet: types, maximum lengths, lines as $item', async () => {
    const res = await fetch(`${sim.url}/api1/x3/erp/${FOLDER}/$prototypes('PINVOICE.$create')`, {
      headers: { authorization: BASIC },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { $properties: Record<string, Record<string, unknown>> };
    expect(body.$properties['BPRVCR']).toEqual({ $type: 'application/x-string', $title: 'BPRVCR', $maxLength: 20 });
    expect(body.$properties['NUM']).toBeUndefined(); // assigned by X3, not writable
    expect(Object.keys(body.$properties)).not.toContain('REF');
    expect(Object.keys(body.$properties)).not.toContain('MATSTA');
    expect(body.$properties['PINVOICED']).toMatchObject({ $type: 'application/x-array' });
    const unknown = await fetch(`${sim.url}/api1/x3/erp/${FOLDER}/$prototypes('ZNOPE.$query')`, {
      headers: { authorization: BASIC },
    });
    expect(unknown.status).toBe(404);
  });

  it('describe() returns the fields of each facet with types and lengths', async () => {
    const d = await client().describe('purchaseInvoice');
    expect(Object.keys(d.facets)).toEqual(['$query', '$details', '$create']);
    expect(d.facets.$query?.fields['STA']).toEqual({ name: 'STA', type: 'application/x-choice', title: 'STA' });
    expect(d.facets.$query?.fields['PINVOICED']).toBeUndefined(); // lines are not in the query feed
    expect(d.facets.$details?.fields['PINVOICED']?.item?.['NETPRI']).toMatchObject({ type: 'application/x-decimal' });
    expect(d.facets.$create?.fields['BPRVCR']).toMatchObject({ maxLength: 20, type: 'application/x-string' });
    expect(d.facets.$create?.source).toBe('prototype');
    expect(d.facets.$create?.fields['REF']).toBeUndefined();
  });

  it('the default field configuration matches the standard representations of every class', async () => {
    const x3 = client({ entities: { supplier: { creates: true } } });
    for (const entity of X3_ENTITY_NAMES) {
      const v = await x3.verifyFields(entity);
      expect({ entity, problems: v.problems }).toEqual({ entity, problems: [] });
      expect(v.ok).toBe(true);
    }
  });

  it('names every configured field a customised representation lacks (a site without BPRVCR)', async () => {
    sim.representation('PINVOICE').removeField('BPRVCR').removeField('PINVOICED.ITMREF');
    const v = await client().verifyFields('purchaseInvoice');
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => [p.facet, p.field, p.configPath, p.problem])).toEqual([
      ['$query', 'BPRVCR', 'lookupFields[1]', 'missing'],
      ['$create', 'BPRVCR', 'fields.supplierInvoiceNumber', 'missing'],
      ['$create', 'PINVOICED.ITMREF', 'lines.fields.product', 'missing'],
    ]);
    expect(v.problems[0].message).toBe(
      'Sage X3 PINVOICE representation PINVOICE ($query) has no field BPRVCR (configured as lookupFields[1])',
    );
  });

  it('names REF and MATSTA when a tenant configures supplier invoices the old way', async () => {
    const v = await client({
      entities: { purchaseInvoice: { fields: { reference: 'REF' }, lookupFields: ['REF'], statusField: 'MATSTA' } },
    }).verifyFields('purchaseInvoice');
    expect(v.problems.map((p) => `${p.facet} ${p.field} ${p.configPath}`)).toEqual([
      '$query REF lookupFields[0]',
      '$query MATSTA statusField',
      '$create REF fields.reference',
    ]);
  });

  it('names a value longer than its field: the reference against REF (and a site with a shorter REF)', async () => {
    const x3 = client();
    const longest = 'acme-plumbing-and-heating:JOB:123456:R12:REV'; // 44 characters
    const v = await x3.verifyFields('journalEntry', {
      values: { reference: longest, 'lines.description': 'x'.repeat(50) },
    });
    expect(v.problems).toEqual([
      {
        facet: '$create',
        field: 'REF',
        configPath: 'fields.reference',
        problem: 'too-long',
        maxLength: 30,
        length: 44,
        message:
          'Sage X3 GACCENTRY representation GACCENTRY: REF holds at most 30 characters, the connector writes up to 44 (reference)',
      },
    ]);
    sim.representation('GACCENTRY').setMaxLength('REF', 12).setMaxLength('GACCENTRYD.DES', 40);
    const shorter = await x3.verifyFields('journalEntry', {
      values: { REF: 'acme:JOB:1:R1', 'GACCENTRYD.DES': 'x'.repeat(41) },
    });
    expect(shorter.problems.map((p) => [p.field, p.maxLength, p.length])).toEqual([
      ['REF', 12, 13],
      ['GACCENTRYD.DES', 40, 41],
    ]);
  });

  it('reports a representation X3 does not publish as one problem', async () => {
    const v = await client({ entities: { purchaseInvoice: { representation: 'ZPINV' } } }).verifyFields(
      'purchaseInvoice',
    );
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatchObject({ problem: 'representation-missing', field: 'ZPINV' });
    expect(v.problems[0].message).toContain('Representation ZPINV not found');
  });

  it('a customised representation (renamed field) works once the tenant configures the new name', async () => {
    await sim.close();
    const seed = createDemoSeed();
    seed.folders[0].representations = {
      ZPINV: { class: 'PINVOICE', rename: { BPRVCR: 'ZSUPINV' }, maxLength: { ZSUPINV: 12 } },
    };
    sim = await startSageX3Simulator({ clock, seed });
    const stale = client({ entities: { purchaseInvoice: { representation: 'ZPINV' } } });
    expect((await stale.verifyFields('purchaseInvoice')).problems.map((p) => p.field)).toEqual(['BPRVCR', 'BPRVCR']);
    const x3 = client({
      entities: {
        purchaseInvoice: {
          representation: 'ZPINV',
          fields: { supplierInvoiceNumber: 'ZSUPINV' },
          lookupFields: ['BPR', 'ZSUPINV'],
        },
      },
    });
    expect(
      (await x3.verifyFields('purchaseInvoice', { values: { supplierInvoiceNumber: 'INV-000000001' } })).problems,
    ).toEqual([expect.objectContaining({ field: 'ZSUPINV', problem: 'too-long', maxLength: 12, length: 13 })]);
    const body = x3.mapFields(
      'purchaseInvoice',
      {
        site: 'US011',
        supplier: 'SUP001',
        supplierInvoiceNumber: 'INV-42',
        invoiceDate: '2025-06-01',
        accountingDate: '2025-06-02',
        currency: 'USD',
        controlTotal: '125.00',
      },
      [{ purchaseOrder: 'PO0001', purchaseOrderLine: 1000, quantity: '10', netPrice: '12.50' }],
    );
    expect(body).toMatchObject({ ZSUPINV: 'INV-42', PINVOICED: [{ POHNUM: 'PO0001', NETPRI: '12.50' }] });
    const created = await x3.createIdempotent('purchaseInvoice', 'ST-BILL-42', body);
    expect(created).toMatchObject({ outcome: 'created' });
    expect(created.resource).toMatchObject({ ZSUPINV: 'INV-42' });
    expect(sim.createdDocuments({ className: 'PINVOICE' })[0].record['BPRVCR']).toBe('INV-42');
    expect(await x3.createIdempotent('purchaseInvoice', 'ST-BILL-42', body)).toMatchObject({
      outcome: 'already-existed',
    });
    expect(() => x3.mapFields('purchaseInvoice', { reference: 'x' })).toThrow(
      'Sage X3 PINVOICE: no field configured for fields.reference',
    );
  });

  it('writing a field the representation lacks, or a value too long, is refused with a diagnosis', async () => {
    sim.representation('PINVOICE').removeField('DES');
    const x3 = client();
    const error = await x3
      .create('purchaseInvoice', purchaseInvoiceBody('V-1', { DES: 'bill 1', BPRVCR: 'V-'.padEnd(21, '9') }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X3DiagnosesError);
    expect((error as X3DiagnosesError).errorMessages).toEqual([
      'BPRVCR: 21 characters, the field holds at most 20',
      'Unknown property DES',
    ]);
    expect(sim.createdDocuments()).toHaveLength(0);
  });

  it('customises a representation through the admin endpoint', async () => {
    const res = await fetch(`${sim.url}/__admin/folders/${FOLDER}/representations/ZBPS`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ class: 'BPSUPPLIER', remove: ['CRN'], maxLength: { BPSNAM: 20 } }),
    });
    expect(res.status).toBe(200);
    const d = await client({ entities: { supplier: { representation: 'ZBPS' } } }).describe('supplier');
    expect(d.facets.$query?.fields['CRN']).toBeUndefined();
    expect(d.facets.$query?.fields['BPSNAM']?.maxLength).toBe(20);
  });
});
