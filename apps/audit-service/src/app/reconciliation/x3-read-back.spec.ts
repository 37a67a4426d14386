import { createEnvelope, Headers as H, Topics, X3_DOCUMENT_SCAN, X3_DOCUMENT_STATE } from '@connector/contracts';
import { deriveMessage } from '../ingest/status-derivation';

const doc = {
  documentKind: 'journal-entry',
  documentNumber: 'JE-1',
  x3Key: 'ODT~JE-1',
  externalRef: 'acme:JOB:1:R1',
  referenceFrom: 'x3',
  inLedger: true,
  present: true,
  status: 'temporary',
  accountingDate: '2026-11-20',
  currency: 'USD',
  amount: '10.00',
  lines: [
    { lineNo: 1, account: '601000', costCenter: 'HVAC', side: 'debit', amount: '10.00' },
    { lineNo: 2, account: '310000', side: 'credit', amount: '10.00' },
  ],
  readAt: '2026-11-21T00:00:00Z',
};

describe('x3.document.v1 in the audit trail', () => {
  it('a read-back links to its record by external reference and carries what X3 holds; it sets no status', () => {
    const env = createEnvelope({ type: X3_DOCUMENT_STATE, tenant: 'acme', source: 'poll', payload: doc });
    const d = deriveMessage({
      topic: Topics.X3Document,
      key: 'acme:journal-entry:JE-1',
      headers: {},
      value: Buffer.from(JSON.stringify(env)),
    });
    expect(d).toMatchObject({ valid: true, externalRef: 'acme:JOB:1:R1', record: null, status: null });
    expect(d.x3ReadBack).toEqual({ document: doc });
  });

  it('a scan record carries when X3 was last read', () => {
    const scan = {
      documentKind: 'supplier-invoice',
      mode: 'full',
      startedAt: '2026-11-21T00:00:00Z',
      completedAt: '2026-11-21T00:00:05Z',
      read: 3,
      published: 1,
      absent: 0,
    };
    const env = createEnvelope({ type: X3_DOCUMENT_SCAN, tenant: 'acme', source: 'poll', payload: scan });
    const d = deriveMessage({
      topic: Topics.X3Document,
      key: 'acme:scan:supplier-invoice:full',
      headers: {},
      value: Buffer.from(JSON.stringify(env)),
    });
    expect(d.x3ReadBack).toEqual({ scan });
    expect(d.externalRef).toBeNull();
  });

  it('an invalid read-back is recorded as invalid, and a dead-lettered one is not taken for what X3 holds', () => {
    const bad = createEnvelope({
      type: X3_DOCUMENT_STATE,
      tenant: 'acme',
      source: 'poll',
      payload: { ...doc, lines: [{ lineNo: 1, side: 'debit', amount: 10.5 }] },
    });
    const invalid = deriveMessage({
      topic: Topics.X3Document,
      key: 'acme:journal-entry:JE-1',
      headers: {},
      value: Buffer.from(JSON.stringify(bad)),
    });
    expect(invalid.valid).toBe(false);
    expect(invalid.invalidReason).toContain('amount');
    expect(invalid.x3ReadBack).toBeUndefined();
    const good = createEnvelope({ type: X3_DOCUMENT_STATE, tenant: 'acme', source: 'poll', payload: doc });
    const dead = deriveMessage({
      topic: `${Topics.X3Document}.dlq`,
      key: 'acme:journal-entry:JE-1',
      headers: { [H.DeadLetterReason]: 'handler failed', [H.DeadLetterSourceTopic]: Topics.X3Document },
      value: Buffer.from(JSON.stringify(good)),
    });
    expect(dead.status).toBe('dead-lettered');
    expect(dead.x3ReadBack).toBeUndefined();
  });
});
