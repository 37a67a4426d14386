import { feedsForEvent, inFeedOrder, dayBefore, JOB_FEEDS } from './feed-names';
import { dueFeeds, emptySchedule, FeedSchedule } from './trigger-schedule';
import { FeedName } from './feed-names';

const policy = { everyMs: 300_000, firstAt: 5_000, batch: 3, maxDelayMs: 60_000 };

function schedules(entries: Partial<Record<FeedName, Partial<FeedSchedule>>>): Map<FeedName, FeedSchedule> {
  return new Map(
    Object.entries(entries).map(
      ([feed, s]) => [feed as FeedName, { ...emptySchedule(), ...s }] as [FeedName, FeedSchedule],
    ),
  );
}

describe('when the owner reads which feed', () => {
  it('scheduled: first after the initial delay, then every interval since the last read (a triggered read counts)', () => {
    const read = Object.fromEntries(
      ['vendors', 'purchase-orders', 'inventory-bills', 'invoices', 'gross-pay-items', 'jobs'].map((f) => [
        f,
        { lastReadAt: 100_000 },
      ]),
    );
    expect(dueFeeds(new Map(), 4_000, policy)).toEqual([]);
    expect(dueFeeds(new Map(), 5_000, policy)).toHaveLength(6);
    expect(dueFeeds(schedules(read), 399_999, policy)).toEqual([]);
    expect(dueFeeds(schedules({ ...read, jobs: { lastReadAt: 90_000 } }), 390_000, policy)).toEqual(['jobs']);
    expect(dueFeeds(new Map(), 1_000_000, { ...policy, everyMs: null })).toEqual([]);
  });

  it('triggered: at once for a batch of entities, else after the longest wait, in reading order', () => {
    const now = 1_000_000;
    const recent = { lastReadAt: now - 1000 };
    const pending = (ids: string[], since: number) => ({ ...recent, pending: new Set(ids), pendingSince: since });
    const base = Object.fromEntries(
      ['vendors', 'purchase-orders', 'inventory-bills', 'invoices', 'gross-pay-items', 'jobs'].map((f) => [f, recent]),
    );
    expect(dueFeeds(schedules({ ...base, jobs: pending(['1', '2'], now - 100) }), now, policy)).toEqual([]);
    expect(dueFeeds(schedules({ ...base, jobs: pending(['1', '2', '3'], now - 100) }), now, policy)).toEqual(['jobs']);
    expect(
      dueFeeds(
        schedules({ ...base, jobs: pending(['1'], now - 60_000), invoices: pending(['1'], now - 60_000) }),
        now,
        policy,
      ),
    ).toEqual(['invoices', 'jobs']);
  });

  it('webhook event types name the feeds to read', () => {
    expect(feedsForEvent('JobCompleted')).toEqual([...JOB_FEEDS]);
    expect(feedsForEvent('InvoiceUpdated')).toEqual(['invoices']);
    expect(feedsForEvent('InventoryBillCreated')).toEqual(['purchase-orders', 'inventory-bills']);
    expect(feedsForEvent('PurchaseOrderReceived')).toEqual(['purchase-orders']);
    expect(feedsForEvent('VendorUpdated')).toEqual(['vendors']);
    expect(feedsForEvent('PayrollAdjusted')).toEqual(['gross-pay-items']);
    expect(feedsForEvent('SomethingNew')).toEqual([...JOB_FEEDS]);
    expect(inFeedOrder(['jobs', 'vendors', 'invoices'])).toEqual(['vendors', 'invoices', 'jobs']);
    expect(dayBefore('2026-03-01')).toBe('2026-02-28');
  });
});
