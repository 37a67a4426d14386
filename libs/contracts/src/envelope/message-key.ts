/** `{tenant}:{entity}:{id}` keeps every event of one record on one partition, in order. */
export function recordKey(tenant: string, entity: string, id: string | number): string {
  return `${tenant}:${entity}:${id}`;
}

export function parseRecordKey(key: string): { tenant: string; entity: string; id: string } | null {
  const first = key.indexOf(':');
  const second = key.indexOf(':', first + 1);
  if (first <= 0 || second <= first + 1 || second === key.length - 1) return null;
  return { tenant: key.slice(0, first), entity: key.slice(first + 1, second), id: key.slice(second + 1) };
}

/**
 * Keys on `servicetitan.records.v1`: a job's own record is `<tenant>:job:<jobId>`; its invoices and gross pay items
 * are `<tenant>:job:<jobId>:<entity>:<id>` and go to the job's partition (the partition key is jobKey()). The job is
 * part of the key so that a record moved to another job gets a new key (never one key on two partitions).
 */
export function jobKey(tenant: string, jobId: number | string): string {
  return recordKey(tenant, 'job', jobId);
}

export function jobRecordKey(tenant: string, jobId: number | string, entity: string, id: number | string): string {
  return `${jobKey(tenant, jobId)}:${entity}:${id}`;
}
