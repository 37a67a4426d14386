import { deriveRecordStatus, HistoryEntry } from './record-status';

let row = 0;
/** One history row at minute `at`; defaults make it a copy of job content "A" at modifiedOn version 1. */
function h(at: number, status: HistoryEntry['status'], extra: Partial<HistoryEntry> = {}): HistoryEntry {
  row++;
  return {
    rowId: String(row),
    at: at * 60_000,
    status,
    statusReason: null,
    reasons: null,
    revision: null,
    contentHash: status === 'received' ? 'A' : null,
    version: status === 'received' ? 1 : null,
    part: null,
    describes: status === 'received',
    keeps: null,
    externalRef: null,
    messageId: `m${row}`,
    causationId: null,
    ...extra,
  };
}
const ref1 = 'acme:JOB:42:R1';
const ref2 = 'acme:JOB:42:R2';
const statusOf = (history: HistoryEntry[]) => deriveRecordStatus(history)?.status;

describe('record status from the whole history', () => {
  // The cases of issue 10 ("the trail hides failures"): the pull's copy of a job reset posted/failed to received.
  it('a pulled or re-delivered copy of unchanged content does not lower posted', () => {
    const history = [
      h(1, 'received', { messageId: 'webhook' }),
      h(2, 'requested', { revision: 1, externalRef: ref1, causationId: 'webhook' }),
      h(3, 'posted', { revision: 1, externalRef: ref1 }),
      h(10, 'received', { messageId: 'pull-copy' }),
      h(11, 'received', { messageId: 'redelivered-webhook' }),
    ];
    expect(deriveRecordStatus(history)).toMatchObject({ status: 'posted', statusAt: 3 * 60_000 });
  });

  it('a pulled copy of unchanged content does not hide a failure', () => {
    const history = [
      h(1, 'received'),
      h(2, 'requested', { revision: 1, externalRef: ref1 }),
      h(3, 'failed', { revision: 1, externalRef: ref1, statusReason: 'X3_500: down' }),
      h(10, 'received'),
    ];
    expect(deriveRecordStatus(history)).toMatchObject({ status: 'failed', statusReason: 'X3_500: down' });
  });

  it('order of arrival does not matter: the same history in any order gives the same status', () => {
    const history = [
      h(1, 'received'),
      h(2, 'requested', { revision: 1, externalRef: ref1 }),
      h(3, 'failed', { revision: 1, externalRef: ref1 }),
      h(10, 'received'),
    ];
    expect(statusOf([...history].reverse())).toBe('failed');
    expect(statusOf([history[3], history[1], history[0], history[2]])).toBe('failed');
  });

  it('messages stamped in the same millisecond (topics are read in any order) follow the lifecycle', () => {
    const job = h(1, 'received');
    const request = h(2, 'requested', { revision: 1, externalRef: ref1 });
    const failed = h(2, 'failed', { revision: 1, externalRef: ref1 });
    // stored in the other order (the result's topic was read first): still failed
    expect(statusOf([job, { ...failed, rowId: '900' }, { ...request, rowId: '901' }])).toBe('failed');
  });

  it('changed content is a new source revision: received until something is done with it', () => {
    const history = [
      h(1, 'received'),
      h(2, 'requested', { revision: 1, externalRef: ref1 }),
      h(3, 'posted', { revision: 1, externalRef: ref1 }),
      h(10, 'received', { contentHash: 'B', version: 2 }),
    ];
    expect(statusOf(history)).toBe('received');
    expect(statusOf([...history, h(11, 'requested', { revision: 2, externalRef: ref2 })])).toBe('requested');
    expect(
      statusOf([
        ...history,
        h(11, 'requested', { revision: 2, externalRef: ref2 }),
        h(12, 'posted', { revision: 2, externalRef: ref2 }),
      ]),
    ).toBe('posted');
  });

  it('a stale copy (older version) arriving late is ignored, even with other content', () => {
    const history = [
      h(1, 'received', { contentHash: 'B', version: 5 }),
      h(2, 'requested', { revision: 1, externalRef: ref1 }),
      h(3, 'posted', { revision: 1, externalRef: ref1 }),
      h(9, 'received', { contentHash: 'OLD', version: 4, messageId: 'stale' }),
    ];
    expect(deriveRecordStatus(history)).toMatchObject({ status: 'posted', sourceRowId: history[0].rowId });
  });

  it('content that changes and changes back is a new revision each time', () => {
    const history = [
      h(1, 'received', { contentHash: 'A', version: 1 }),
      h(2, 'posted', { revision: 1, externalRef: ref1 }),
      h(3, 'received', { contentHash: 'B', version: 2 }),
      h(4, 'posted', { revision: 2, externalRef: ref2 }),
      h(5, 'received', { contentHash: 'A', version: 3 }),
    ];
    expect(statusOf(history)).toBe('received');
  });

  it('an outcome of an older document revision never overrides a newer revision’s', () => {
    const history = [
      h(1, 'received'),
      h(2, 'posted', { revision: 2, externalRef: ref2 }),
      h(5, 'failed', { revision: 1, externalRef: ref1, statusReason: 'late redelivery of rev 1' }),
    ];
    expect(statusOf(history)).toBe('posted');
  });

  it('a posted document stays in X3: a replayed request, a failure or a dead letter of it do not lower it', () => {
    const base = [h(1, 'received'), h(2, 'requested', { revision: 1, externalRef: ref1 })];
    const posted = h(3, 'posted', { revision: 1, externalRef: ref1 });
    expect(
      statusOf([
        ...base,
        posted,
        h(10, 'requested', { revision: 1, externalRef: ref1 }),
        h(12, 'failed', { revision: 1, externalRef: ref1 }),
        h(13, 'dead-lettered', { revision: 1, externalRef: ref1 }),
      ]),
    ).toBe('posted');
    // the replay's own answer is shown: duplicate-skipped (no second document)
    expect(
      statusOf([
        ...base,
        posted,
        h(10, 'requested', { revision: 1, externalRef: ref1 }),
        h(11, 'duplicate-skipped', { revision: 1, externalRef: ref1 }),
        h(12, 'failed', { revision: 1, externalRef: ref1 }),
      ]),
    ).toBe('duplicate-skipped');
    // found in X3 by lookup after an unknown outcome, then posted by a later attempt
    expect(
      statusOf([
        ...base,
        h(3, 'duplicate-skipped', { revision: 1, externalRef: ref1 }),
        h(4, 'posted', { revision: 1, externalRef: ref1 }),
      ]),
    ).toBe('posted');
  });

  it('a failed document replayed is requested again, then posted', () => {
    const history = [
      h(1, 'received'),
      h(2, 'requested', { revision: 1, externalRef: ref1 }),
      h(3, 'failed', { revision: 1, externalRef: ref1 }),
      h(10, 'requested', { revision: 1, externalRef: ref1 }),
    ];
    expect(statusOf(history)).toBe('requested');
    expect(statusOf([...history, h(11, 'posted', { revision: 1, externalRef: ref1 })])).toBe('posted');
  });

  it('a reversal (same revision, its own document) is the record’s outcome after a posting', () => {
    const history = [
      h(1, 'received'),
      h(2, 'posted', { revision: 1, externalRef: ref1 }),
      h(3, 'received', { contentHash: 'CANCELED', version: 2 }),
      h(4, 'requested', { revision: 1, externalRef: `${ref1}:REV` }),
      h(5, 'posted', { revision: 1, externalRef: `${ref1}:REV` }),
    ];
    expect(statusOf(history)).toBe('posted');
    expect(statusOf(history.slice(0, 4))).toBe('requested');
  });

  it('rejections and dead letters of the current revision are failures with their reason', () => {
    expect(
      deriveRecordStatus([
        h(1, 'received'),
        h(2, 'rejected', {
          revision: 1,
          statusReason: 'ACCOUNT_INACTIVE',
          reasons: [{ code: 'ACCOUNT_INACTIVE', message: 'x' }],
        }),
        h(5, 'received'), // the pull's copy
      ]),
    ).toMatchObject({ status: 'rejected', statusReason: 'ACCOUNT_INACTIVE', reasons: [{ code: 'ACCOUNT_INACTIVE' }] });
    expect(statusOf([h(1, 'received'), h(2, 'dead-lettered', { statusReason: 'invalid message' })])).toBe(
      'dead-lettered',
    );
  });

  it('outcomes of an earlier revision are not the current revision’s, unless caused by one of its messages', () => {
    const history = [
      h(1, 'received', { contentHash: 'A', version: 1 }),
      h(2, 'failed', { revision: 1, externalRef: ref1 }),
      h(5, 'received', { contentHash: 'B', version: 2, messageId: 'b-event' }),
    ];
    expect(statusOf(history)).toBe('received');
    // the mapper's answer to b-event stamped a little earlier by a skewed clock still counts (its causation says so)
    expect(statusOf([...history, h(4, 'rejected', { revision: 2, causationId: 'b-event' })])).toBe('rejected');
  });

  it('rows without content (payload past retention) never start a revision on their own', () => {
    const history = [
      h(1, 'received', { contentHash: null, version: null }),
      h(2, 'posted', { revision: 1, externalRef: ref1 }),
      h(3, 'received', { contentHash: 'A', version: 1 }),
    ];
    expect(statusOf(history)).toBe('posted');
  });

  it('keeps the reason of the latest failure as last error, also after a recovery', () => {
    const view = deriveRecordStatus([
      h(1, 'received'),
      h(2, 'failed', { revision: 1, externalRef: ref1, statusReason: 'X3 closed period' }),
      h(3, 'posted', { revision: 1, externalRef: ref1 }),
    ]);
    expect(view).toMatchObject({ status: 'posted', lastError: 'X3 closed period' });
  });

  it('a record known only from outcomes or dead letters, or from nothing with a status', () => {
    expect(statusOf([h(1, 'dead-lettered')])).toBe('dead-lettered');
    expect(statusOf([h(1, 'requested', { revision: 1, externalRef: ref1 })])).toBe('requested');
    expect(deriveRecordStatus([h(1, null)])).toBeNull();
  });
  it('a hold (e.g. before the go-live date) is its own status, not a failure; a backfill’s request and posting follow', () => {
    const held = [
      h(1, 'received'),
      h(2, 'held', {
        revision: 1,
        statusReason: 'BEFORE_GO_LIVE',
        reasons: [{ code: 'BEFORE_GO_LIVE', message: 'x' }],
      }),
    ];
    expect(deriveRecordStatus(held)).toMatchObject({ status: 'held', statusReason: 'BEFORE_GO_LIVE', lastError: null });
    const released = [
      ...held,
      h(5, 'requested', { revision: 1, externalRef: ref1 }),
      h(6, 'posted', { revision: 1, externalRef: ref1 }),
    ];
    expect(statusOf(released.slice(0, 3))).toBe('requested');
    expect(statusOf(released)).toBe('posted');
  });
});

describe('a job on servicetitan.records.v1: its own record and its parts (invoices, gross pay items)', () => {
  const JOB = 'acme:job:42';
  const INVOICE = 'acme:job:42:invoice:7';
  const PAY = 'acme:job:42:gross-pay-item:9';
  const job = (at: number, hash: string, version: number, extra: Partial<HistoryEntry> = {}) =>
    h(at, 'received', { part: JOB, contentHash: hash, version, describes: true, ...extra });
  const part = (at: number, key: string, hash: string, version: number, extra: Partial<HistoryEntry> = {}) =>
    h(at, 'received', { part: key, contentHash: hash, version, describes: false, ...extra });
  const posted = () => [
    part(1, INVOICE, 'I1', 100),
    job(2, 'J1', 200, { messageId: 'job-record' }),
    h(3, 'requested', { revision: 1, externalRef: ref1, causationId: 'job-record' }),
    h(4, 'posted', { revision: 1, externalRef: ref1 }),
  ];

  it('each part keeps its own content: the pull’s copy of any part leaves posted as it was', () => {
    expect(statusOf([...posted(), job(10, 'J1', 200), part(11, INVOICE, 'I1', 100)])).toBe('posted');
  });

  it('a changed part or a new part is a new revision of the job: received until the mapper answers', () => {
    expect(statusOf([...posted(), part(10, INVOICE, 'I2', 300)])).toBe('received');
    expect(statusOf([...posted(), part(10, PAY, 'P1', 300)])).toBe('received');
    // a removal (the invoice moved to another job) changes the job's content too
    expect(statusOf([...posted(), part(10, INVOICE, 'REMOVED', 300)])).toBe('received');
  });

  it('staleness is per part: a part’s copy is compared with that part’s versions only', () => {
    // the invoice's version 150 is older than the job record's 200, but newer than the invoice's own 100
    expect(statusOf([...posted(), part(10, INVOICE, 'I2', 150)])).toBe('received');
    // an older copy of the invoice itself arriving late is stale
    const history = [...posted(), part(10, INVOICE, 'I2', 300), part(11, INVOICE, 'I0', 50)];
    expect(deriveRecordStatus(history)?.status).toBe('received');
    expect(statusOf([...posted(), part(11, INVOICE, 'I0', 50)])).toBe('posted');
  });

  it('the job’s own record describes it, also when a part arrived later', () => {
    const history = [...posted(), part(10, PAY, 'P1', 300)];
    expect(deriveRecordStatus(history)?.sourceRowId).toBe(history[1].rowId);
    // a job known only from its parts so far: the latest part
    const parts = [part(1, INVOICE, 'I1', 100), part(2, PAY, 'P1', 100)];
    expect(deriveRecordStatus(parts)).toMatchObject({ status: 'received', sourceRowId: parts[1].rowId });
  });

  it('a mapper decision that keeps the posted document answers a change that posts nothing new', () => {
    const change = part(10, INVOICE, 'I2', 300, { messageId: 'invoice-change' });
    const kept = h(11, null, { keeps: ref1, externalRef: ref1, causationId: 'invoice-change' });
    expect(statusOf([...posted(), change])).toBe('received');
    expect(deriveRecordStatus([...posted(), change, kept])).toMatchObject({ status: 'posted', statusAt: 4 * 60_000 });
    // the same decision for a document that failed: still failed, so the failure list and bulk replay find it
    const failed = [...posted().slice(0, 3), h(4, 'failed', { revision: 1, externalRef: ref1, statusReason: 'X3' })];
    expect(deriveRecordStatus([...failed, change, kept])).toMatchObject({ status: 'failed', statusReason: 'X3' });
  });

  it('a decision keeping nothing (waiting, settling, not completed) or one of an older revision answers nothing', () => {
    const change = part(10, INVOICE, 'I2', 300);
    expect(statusOf([...posted(), change, h(11, null)])).toBe('received');
    // the decision that kept ref1 was written before this change: it is not this revision's answer
    expect(statusOf([...posted(), h(5, null, { keeps: ref1, externalRef: ref1 }), change])).toBe('received');
  });

  it('a decision followed by a correction: the correction’s documents decide', () => {
    const change = part(10, INVOICE, 'I2', 300, { messageId: 'c' });
    const history = [
      ...posted(),
      change,
      h(11, 'requested', { revision: 1, externalRef: `${ref1}:REV`, causationId: 'c' }),
      h(11, 'requested', { revision: 2, externalRef: ref2, causationId: 'c' }),
      h(11, null, { keeps: ref2, externalRef: ref2, causationId: 'c' }),
      h(12, 'posted', { revision: 1, externalRef: `${ref1}:REV` }),
    ];
    expect(statusOf(history)).toBe('requested');
    expect(statusOf([...history, h(13, 'posted', { revision: 2, externalRef: ref2 })])).toBe('posted');
  });
});
