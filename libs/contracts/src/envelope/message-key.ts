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
