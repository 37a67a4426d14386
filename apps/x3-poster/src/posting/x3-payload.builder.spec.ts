import { JournalEntryRequestedV1, SupplierInvoiceRequestedV1 } from '@connector/contracts';
import { DEFAULT_ENTITIES, mergeEntity, X3ConfigError } from '@connector/sage-x3';
import {
  amountOfResource,
  buildJournalEntry,
  buildSupplierInvoice,
  documentNumber,
  InvalidPostingRequestError,
  x3Date,
} from './x3-payload.builder';

function journal(overrides: Partial<JournalEntryRequestedV1> = {}): JournalEntryRequestedV1 {
  return {
    externalRef: 'acme:JOB:4242:R1',
    source: { kind: 'job', id: '4242', revision: 1 },
    site: 'US011',
    entryType: 'ODT',
    journal: 'ODT',
    accountingDate: '2025-06-15',
    currency: 'USD',
    description: 'Job 4242 costs',
    lines: [
      {
        account: '601000',
        side: 'debit',
        amount: '100.10',
        costCenter: 'HVAC',
        dimensionType: 'CC',
        description: 'Materials',
        costKind: 'material',
      },
      {
        account: '606000',
        side: 'debit',
        amount: '25.30',
        costCenter: 'PLUMB',
        dimensionType: null,
        description: null,
        costKind: 'labor',
      },
      { account: '401000', side: 'credit', amount: '125.40', costKind: 'offset' },
    ],
    ...overrides,
  };
}

function invoice(overrides: Partial<SupplierInvoiceRequestedV1> = {}): SupplierInvoiceRequestedV1 {
  return {
    externalRef: 'acme:BILL:77:R2',
    source: { kind: 'inventory-bill', id: '77', revision: 2 },
    site: 'US011',
    supplier: 'SUP001',
    supplierInvoiceNumber: 'INV-77',
    invoiceDate: '2025-06-10T14:30:00-05:00',
    accountingDate: '2025-06-11',
    currency: 'USD',
    controlTotal: '251.00',
    lines: [
      { purchaseOrder: 'PO0001', purchaseOrderLine: 1000, product: 'FILTER-16', quantity: '10', netPrice: '12.50' },
      { purchaseOrder: 'PO0001', purchaseOrderLine: 2000, product: 'PIPE-CU-12', quantity: '30.000', netPrice: '4.20' },
    ],
    ...overrides,
  };
}

const JE = DEFAULT_ENTITIES.journalEntry;
const PINV = DEFAULT_ENTITIES.purchaseInvoice;

describe('buildJournalEntry', () => {
  it('maps header and lines to GACCENTRY fields with X3 signs and exact decimal strings', () => {
    const built = buildJournalEntry(journal(), JE);
    expect(built.kind).toBe('journal-entry');
    expect(built.body).toEqual({
      FCY: 'US011',
      TYP: 'ODT',
      JOU: 'ODT',
      ACCDAT: '2025-06-15',
      CUR: 'USD',
      REF: 'acme:JOB:4242:R1',
      DESVCR: 'Job 4242 costs',
      GACCENTRYD: [
        { ACC: '601000', SNS: 1, AMTCUR: '100.10', CUR: 'USD', DES: 'Materials', DIE: 'CC', CCE: 'HVAC' },
        { ACC: '606000', SNS: 1, AMTCUR: '25.30', CUR: 'USD', DES: 'Job 4242 costs', CCE: 'PLUMB' },
        { ACC: '401000', SNS: -1, AMTCUR: '125.40', CUR: 'USD', DES: 'Job 4242 costs' },
      ],
    });
  });

  it("reports the sum of debits at the lines' scale, with decimal (not float) arithmetic", () => {
    const built = buildJournalEntry(
      journal({
        lines: [
          { account: '601000', side: 'debit', amount: '0.10', costKind: 'material' },
          { account: '601000', side: 'debit', amount: '0.20', costKind: 'material' },
          { account: '401000', side: 'credit', amount: '0.30', costKind: 'offset' },
        ],
      }),
      JE,
    );
    expect(built.amount).toBe('0.30');
    expect(built.currency).toBe('USD');
    expect(
      buildJournalEntry(
        journal({
          currency: 'JPY',
          lines: [
            { account: '601000', side: 'debit', amount: '1500', costKind: 'material' },
            { account: '401000', side: 'credit', amount: '1500', costKind: 'offset' },
          ],
        }),
        JE,
      ).amount,
    ).toBe('1500');
  });

  it('a reversal is an ordinary entry with its own reference (sides swapped by the mapper)', () => {
    const built = buildJournalEntry(
      journal({ externalRef: 'acme:JOB:4242:R1:REV', reversalOf: 'acme:JOB:4242:R1' }),
      JE,
    );
    expect(built.body['REF']).toBe('acme:JOB:4242:R1:REV');
    expect(built.body).not.toHaveProperty('reversalOf');
  });

  it('takes the date part of an ISO timestamp for ACCDAT', () => {
    expect(buildJournalEntry(journal({ accountingDate: '2025-06-30T23:30:00-05:00' }), JE).body['ACCDAT']).toBe(
      '2025-06-30',
    );
  });

  it.each([
    ['zero', '0.00'],
    ['negative', '-5.00'],
  ])('rejects a %s amount as an invalid request (the side carries the sign)', (_name, amount) => {
    const req = journal();
    req.lines[0] = { ...req.lines[0], amount };
    expect(() => buildJournalEntry(req, JE)).toThrow(InvalidPostingRequestError);
  });
});

describe('buildSupplierInvoice', () => {
  it('maps to PINVOICE with PO lines, control total and dates', () => {
    const built = buildSupplierInvoice(invoice(), PINV);
    expect(built).toEqual({
      kind: 'supplier-invoice',
      currency: 'USD',
      amount: '251.00',
      body: {
        FCY: 'US011',
        BPR: 'SUP001',
        BPRVCR: 'INV-77',
        BPRDAT: '2025-06-10',
        ACCDAT: '2025-06-11',
        CUR: 'USD',
        DES: 'ServiceTitan inventory-bill 77 rev 2',
        AMTNOT: '251.00',
        PINVOICED: [
          { POHNUM: 'PO0001', POPLIN: 1000, ITMREF: 'FILTER-16', QTYUOM: '10', NETPRI: '12.50' },
          { POHNUM: 'PO0001', POPLIN: 2000, ITMREF: 'PIPE-CU-12', QTYUOM: '30.000', NETPRI: '4.20' },
        ],
      },
    });
  });

  it('rejects non-positive quantities, negative prices and an empty invoice', () => {
    const bad = invoice();
    bad.lines[0] = { ...bad.lines[0], quantity: '0' };
    expect(() => buildSupplierInvoice(bad, PINV)).toThrow(InvalidPostingRequestError);
    const neg = invoice();
    neg.lines[1] = { ...neg.lines[1], netPrice: '-1.00' };
    expect(() => buildSupplierInvoice(neg, PINV)).toThrow(/net price/);
    expect(() => buildSupplierInvoice(invoice({ lines: [] }), PINV)).toThrow(/at least one line/);
  });
});

describe("fields per class (the tenant's sageX3.classes)", () => {
  it('writes through renamed fields and leaves out optional values the representation lacks', () => {
    const zpinv = mergeEntity('purchaseInvoice', PINV, {
      representation: 'ZPINV',
      fields: { supplierInvoiceNumber: 'ZSUPINV', description: null },
      lines: { fields: { netPrice: 'ZNETPRI' } },
      lookupFields: ['BPR', 'ZSUPINV'],
    });
    const body = buildSupplierInvoice(invoice(), zpinv).body;
    expect(body).toMatchObject({ BPR: 'SUP001', ZSUPINV: 'INV-77', AMTNOT: '251.00' });
    expect(body).not.toHaveProperty('BPRVCR');
    expect(body).not.toHaveProperty('DES');
    expect((body['PINVOICED'] as Array<Record<string, unknown>>)[0]).toEqual({
      POHNUM: 'PO0001',
      POPLIN: 1000,
      ITMREF: 'FILTER-16',
      QTYUOM: '10',
      ZNETPRI: '12.50',
    });
  });

  it('a value the poster must write but no field carries is a configuration error naming the field', () => {
    const noCce = mergeEntity('journalEntry', JE, { lines: { fields: { costCenter: null } } });
    expect(() => buildJournalEntry(journal(), noCce)).toThrow(X3ConfigError);
    expect(() => buildJournalEntry(journal(), noCce)).toThrow(/no field configured for lines\.fields\.costCenter/);
    // Lines without a cost center post fine on the same configuration.
    const plain = journal({
      lines: [
        { account: '601000', side: 'debit', amount: '5.00', costKind: 'material' },
        { account: '401000', side: 'credit', amount: '5.00', costKind: 'offset' },
      ],
    });
    expect(buildJournalEntry(plain, noCce).body['GACCENTRYD']).toHaveLength(2);
    const noSite = mergeEntity('journalEntry', JE, { fields: { site: null } });
    expect(() => buildJournalEntry(journal(), noSite)).toThrow(/no field configured for fields\.site/);
  });
});

describe('x3Date / documentNumber / amountOfResource', () => {
  it('x3Date refuses what is not a date', () => {
    expect(x3Date('2025-02-03', 'd')).toBe('2025-02-03');
    expect(() => x3Date('June 3rd', 'd')).toThrow(InvalidPostingRequestError);
  });

  it('documentNumber prefers NUM, then $key', () => {
    expect(documentNumber({ NUM: 'ODT-2025-000001', $key: 'ODT~ODT-2025-000001' })).toBe('ODT-2025-000001');
    expect(documentNumber({ $key: 'PI00000001' })).toBe('PI00000001');
    expect(documentNumber({})).toBeNull();
  });

  it('amountOfResource sums X3 debit lines exactly and reads the invoice control total', () => {
    const entry = {
      GACCENTRYD: [
        { SNS: 1, AMTCUR: '0.10' },
        { SNS: 1, AMTCUR: '0.20' },
        { SNS: -1, AMTCUR: '0.30' },
      ],
    };
    expect(amountOfResource('journal-entry', entry, JE)).toBe('0.30');
    expect(amountOfResource('supplier-invoice', { AMTNOT: '251.00' }, PINV)).toBe('251.00');
    expect(amountOfResource('journal-entry', {}, JE)).toBeNull();
  });
});
