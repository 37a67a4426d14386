/**
 * GraphQL (Xtrem) query texts live here, per API generation, because field shapes change between X3 releases
 * (older releases prefix domains with `xtremX3`). Callers pick the generation in their tenant config.
 */

export type XtremApiGeneration = 'x3' | 'xtremX3';

export const XTREM_DOMAINS: Record<XtremApiGeneration, { masterData: string; finance: string; purchasing: string }> = {
  x3: { masterData: 'x3MasterData', finance: 'x3Finance', purchasing: 'x3Purchasing' },
  xtremX3: { masterData: 'xtremX3MasterData', finance: 'xtremX3Finance', purchasing: 'xtremX3Purchasing' },
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A paged `query(first, after, filter, orderBy)` over one node type. Use with
 * `client.graphqlConnection(text, { path: [domain, entity, 'query'] })`.
 */
export function buildConnectionQuery(domain: string, entity: string, selection: string): string {
  if (!NAME.test(domain) || !NAME.test(entity)) throw new RangeError('invalid GraphQL domain or entity name');
  return (
    `query X3Connection($first: Int, $after: String, $filter: String, $orderBy: String) { ${domain} { ${entity} { ` +
    `query(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { ` +
    `edges { cursor node { ${selection} } } pageInfo { endCursor hasNextPage } } } } }`
  );
}

/** A `create(data: $data)` mutation on a writable node (e.g. x3Purchasing.purchaseInvoice). */
export function buildCreateMutation(domain: string, entity: string, selection: string, inputType = 'Object'): string {
  if (!NAME.test(domain) || !NAME.test(entity) || !NAME.test(inputType)) throw new RangeError('invalid GraphQL name');
  return `mutation X3Create($data: ${inputType}!) { ${domain} { ${entity} { create(data: $data) { ${selection} } } } }`;
}

/** Change-polling filter on `_updateStamp` (inference: Xtrem filter operators `_gte`). */
export function updatedSinceFilter(since: Date | string, extra: Record<string, unknown> = {}): string {
  const iso = typeof since === 'string' ? since : since.toISOString();
  return JSON.stringify({ ...extra, _updateStamp: { _gte: iso } });
}

/** Default polling order: by update stamp, then `_id` so ties are stable. */
export const UPDATE_STAMP_ORDER = JSON.stringify({ _updateStamp: 1, _id: 1 });
