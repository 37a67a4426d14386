import { DEFAULT_ENTITIES, mergeEntity } from '@connector/sage-x3';
import {
  absentDocument,
  documentNumberOf,
  documentStatus,
  readBackDocument,
  UnreadableX3DocumentError,
  x3KeyOf,
} from './x3-document.reader';

const je = DEFAULT_ENTITIES.journalEntry;
const pi = DEFAULT_ENTITIES.purchaseInvoice;
const readAt = '2026-11-21T08:00:00.000Z';

describe('reading an X3 document back (through the entity configuration)', () => {
  const entry = {
    $key: 'ODT~ODT-2026-000001',
    TYP: 'ODT',
    NUM: 'ODT-2026-000001',
    FCY: 'US011',
    ACCDAT: '2026-11-20',
    CUR: 'USD',
    REF: 'acme:JOB:1:R1',
    STA: 2,
    UPDDATTIM: '2026-11-20T10:00:00Z',
    GACCENTRYD: [
      { ACC: '601000', SNS: 1, AMTCUR: 0.1, DIE: 'CC', CCE: 'HVAC' },
      { ACC: '601000', SNS: '1', AMTCUR: '0.2', DIE: 'CC', CCE: 'HVAC' },
      { ACC: '310000', SNS: -1, AMTCUR: '0.30' },
      // A site storing signed amounts: a negative debit is a credit.
      { ACC: '641000', SNS: 1, AMTCUR: '-5.00', CCE: 'HVAC' },
      { ACC: '421000', SNS: '-1', AMTCUR: '-5.00' },
    ],
  };

  it('a journal entry: number, key, reference, status, date and lines with sides from the sign, exact decimals', () => {
    const doc = readBackDocument({
      kind: 'journal-entry',
      cfg: je,
      row: entry,
      ledgerRef: null,
      inLedger: true,
      readAt,
    });
    expect(doc).toMatchObject({
      documentNumber: 'ODT-2026-000001',
      x3Key: 'ODT~ODT-2026-000001',
      externalRef: 'acme:JOB:1:R1',
      referenceFrom: 'x3',
      present: true,
      status: 'final',
      x3Status: '2',
      accountingDate: '2026-11-20',
      currency: 'USD',
      site: 'US011',
      x3UpdatedAt: '2026-11-20T10:00:00.000Z',
      readAt,
    });
    expect(doc.lines.map((l) => [l.account, l.costCenter, l.side, l.amount])).toEqual([
      ['601000', 'HVAC', 'debit', '0.1'],
      ['601000', 'HVAC', 'debit', '0.2'],
      ['310000', null, 'credit', '0.3'],
      ['641000', 'HVAC', 'credit', '5'],
      ['421000', null, 'debit', '5'],
    ]);
    // 0.1 + 0.2 + 5: debits summed as decimals, not floats.
    expect(doc.amount).toBe('5.3');
  });

  it('reads the fields the tenant configured (a site that renamed its cost center and reference fields)', () => {
    const cfg = mergeEntity('journalEntry', je, {
      representation: 'ZGACC',
      referenceField: 'ZREF',
      lines: { fields: { costCenter: 'ZCCE' } },
    });
    const row = {
      ...entry,
      REF: undefined,
      ZREF: 'acme:JOB:9:R1',
      GACCENTRYD: [{ ACC: '601000', SNS: 1, AMTCUR: '1', ZCCE: 'PLUMB' }],
    };
    const doc = readBackDocument({ kind: 'journal-entry', cfg, row, ledgerRef: null, inLedger: false, readAt });
    expect(doc.externalRef).toBe('acme:JOB:9:R1');
    expect(doc.inLedger).toBe(false);
    expect(doc.lines[0]).toMatchObject({ costCenter: 'PLUMB', side: 'debit', amount: '1' });
  });

  it('a supplier invoice: supplier, invoice number, control total, status and line amounts (quantity × net price)', () => {
    const row = {
      NUM: 'PI00000001',
      BPR: 'SUP001',
      BPRVCR: 'INV-1',
      ACCDAT: '2026-11-18T00:00:00Z',
      CUR: 'USD',
      AMTNOT: '0.30',
      STA: 1,
      PINVOICED: [{ POHNUM: 'PO0001', POPLIN: '1000', ITMREF: 'FILTER-16', QTYUOM: '3', NETPRI: 0.1 }],
    };
    const doc = readBackDocument({
      kind: 'supplier-invoice',
      cfg: pi,
      row,
      ledgerRef: 'acme:BILL:1:R1',
      inLedger: true,
      readAt,
    });
    expect(doc).toMatchObject({
      documentNumber: 'PI00000001',
      x3Key: 'PI00000001',
      externalRef: 'acme:BILL:1:R1',
      referenceFrom: 'ledger',
      supplier: 'SUP001',
      supplierInvoiceNumber: 'INV-1',
      amount: '0.3',
      status: 'unmatched',
      accountingDate: '2026-11-18',
    });
    expect(doc.lines).toEqual([
      {
        lineNo: 1,
        side: 'debit',
        amount: '0.3',
        purchaseOrder: 'PO0001',
        purchaseOrderLine: 1000,
        product: 'FILTER-16',
        quantity: '3',
        netPrice: '0.1',
      },
    ]);
    expect(documentStatus('supplier-invoice', '2')).toBe('matched');
    expect(documentStatus('journal-entry', '1')).toBe('temporary');
    expect(documentStatus('journal-entry', null)).toBeNull();
  });

  it('refuses to guess: an unknown sign, an amount that is no decimal, a line without amount, no number', () => {
    const read = (row: Record<string, unknown>) =>
      readBackDocument({ kind: 'journal-entry', cfg: je, row, ledgerRef: null, inLedger: true, readAt });
    expect(() => read({ ...entry, GACCENTRYD: [{ ACC: '1', SNS: 0, AMTCUR: '1' }] })).toThrow(
      new UnreadableX3DocumentError('line 1: sign 0 is neither 1 (debit) nor -1 (credit)'),
    );
    expect(() => read({ ...entry, GACCENTRYD: [{ ACC: '1', SNS: 1, AMTCUR: 'ten' }] })).toThrow(
      /line 1 amount \(AMTCUR\) is not a decimal/,
    );
    expect(() => read({ ...entry, GACCENTRYD: [{ ACC: '1', SNS: 1 }] })).toThrow('line 1 has no amount (AMTCUR)');
    expect(() => read({ GACCENTRYD: [] })).toThrow('GACCENTRY resource without a document number');
  });

  it('keys and absences', () => {
    expect(x3KeyOf(je, { TYP: 'ODT', NUM: 'N1' })).toBe('ODT~N1');
    expect(x3KeyOf(je, { NUM: 'N1' })).toBeNull();
    expect(documentNumberOf(je, { TYP: 'ODT', NUM: 'N1' })).toBe('N1');
    expect(documentNumberOf(pi, { $key: 'PI9' })).toBe('PI9');
    expect(
      absentDocument({
        kind: 'supplier-invoice',
        documentNumber: 'PI9',
        externalRef: 'acme:BILL:9:R1',
        referenceFrom: 'ledger',
        inLedger: true,
        absence: 'not-found',
        readAt,
      }),
    ).toMatchObject({ present: false, absence: 'not-found', lines: [], amount: null, accountingDate: null });
  });
});
