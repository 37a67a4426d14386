import { localDate } from '@connector/util';

/*
 * Business dates: the calendar day, in the tenant's IANA time zone (tenants file `timeZone`, default UTC), that the
 * go-live date and backfill windows are compared with and that becomes the X3 accounting date (and so the period).
 * A job completed at 23:30 on 31 January in Chicago is a January job, although it is 1 February in UTC.
 */

/** A job's business date: the day it was completed (else last modified) in the tenant's zone. */
export function jobBusinessDate(job: { completedOn?: string | null; modifiedOn: string }, timeZone: string): string {
  return localDate(job.completedOn ?? job.modifiedOn, timeZone);
}

/**
 * A bill's business date: its bill date (else last modified) in the tenant's zone; a date written as midnight UTC
 * (how a date-only field is serialised) stays that date. null when the bill carries neither.
 */
export function billBusinessDate(
  bill: { billDate?: string | null; modifiedOn?: string | null },
  timeZone: string,
): string | null {
  const value = bill.billDate ?? bill.modifiedOn;
  return value ? localDate(value, timeZone, { midnightUtcIsDate: true }) : null;
}
