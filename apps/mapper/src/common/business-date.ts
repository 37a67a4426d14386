import { TenantConfig } from '@connector/config';

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day of an instant in the tenant's time zone (UTC when it has none): the business date of a job
 * (completion) that the go-live date and backfill windows are compared with. A bill date is already a date.
 */
export function businessDate(instant: string, timeZone?: string | null): string {
  if (!timeZone) return new Date(instant).toISOString().slice(0, 10);
  let f = formats.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, f);
  }
  return f.format(new Date(instant));
}

/** The tenant's IANA time zone, if its tenants file names one (`timeZone`, issue 12). */
export function tenantTimeZone(tenant: TenantConfig): string | undefined {
  const t = tenant as TenantConfig & { timeZone?: unknown; sageX3: { timeZone?: unknown } };
  const zone = t.timeZone ?? t.sageX3.timeZone;
  return typeof zone === 'string' && zone ? zone : undefined;
}
