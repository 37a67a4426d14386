/** The ServiceTitan sources the gateway reads: five export feeds and the vendors list (vendors have no feed). */
export type FeedName = 'vendors' | 'purchase-orders' | 'inventory-bills' | 'invoices' | 'gross-pay-items' | 'jobs';

/**
 * Reading order within one run: a job's costs (invoices, gross pay items) before the job, so that on the job's
 * partition the job's record comes after its costs and the mapper's decision on it sees them; purchase orders before
 * the bills that reference them.
 */
export const FEEDS: readonly FeedName[] = [
  'vendors',
  'purchase-orders',
  'inventory-bills',
  'invoices',
  'gross-pay-items',
  'jobs',
];

/** The feeds a job's costs come from. */
export const JOB_FEEDS: readonly FeedName[] = ['invoices', 'gross-pay-items', 'jobs'];

/** Which feeds a webhook's event type asks to read (unknown types: the job feeds, where costs come from). */
export function feedsForEvent(eventType: string): FeedName[] {
  const t = eventType.toLowerCase();
  if (t.includes('inventorybill') || t.includes('inventory-bill') || /\bbill/.test(t))
    return ['purchase-orders', 'inventory-bills'];
  if (t.includes('purchaseorder') || t.includes('purchase-order')) return ['purchase-orders'];
  if (t.includes('vendor')) return ['vendors'];
  if (t.includes('invoice')) return ['invoices'];
  if (t.includes('payroll') || t.includes('grosspay') || t.includes('timesheet')) return ['gross-pay-items'];
  return [...JOB_FEEDS];
}

/** In reading order. */
export function inFeedOrder(feeds: Iterable<FeedName>): FeedName[] {
  const wanted = new Set(feeds);
  return FEEDS.filter((f) => wanted.has(f));
}

/** The day before a date (`2026-11-01` → `2026-10-31`): feeds start a day early so no time zone loses hours. */
export function dayBefore(date: string): string {
  return addDays(date, -1);
}

/** The day after a date (a backfill window's margin, for time zones). */
export function dayAfter(date: string): string {
  return addDays(date, 1);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
