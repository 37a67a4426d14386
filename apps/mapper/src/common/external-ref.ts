import { createHash } from 'node:crypto';

/** The contract's limit for X3 REF (journal entries and supplier invoices). */
export const EXTERNAL_REF_MAX = 60;
const ALLOWED = /^[A-Za-z0-9:_.-]{1,60}$/;

export type ExternalRefKind = 'JOB' | 'BILL';

/**
 * Deterministic X3 external reference `<tenant>:<KIND>:<id>:R<revision>[:REV]`. A replay or redelivery of the same
 * source revision always yields the same reference, which is what lets the poster refuse duplicates. Tenant slugs
 * can be up to 63 characters: when the whole reference would exceed 60, the tenant part is shortened to a prefix
 * plus a short hash of the full slug (still deterministic and still unique per tenant in practice).
 */
export function externalRef(
  tenant: string,
  kind: ExternalRefKind,
  id: string | number,
  revision: number,
  reversal = false,
): string {
  const tail = `:${kind}:${id}:R${revision}${reversal ? ':REV' : ''}`;
  let ref = `${tenant}${tail}`;
  if (ref.length > EXTERNAL_REF_MAX) {
    const hash = createHash('sha256').update(tenant).digest('hex').slice(0, 6);
    const room = EXTERNAL_REF_MAX - tail.length - hash.length - 1;
    if (room < 1) throw new Error(`external reference for ${kind} ${id} cannot fit in ${EXTERNAL_REF_MAX} characters`);
    ref = `${tenant.slice(0, room)}.${hash}${tail}`;
  }
  if (!ALLOWED.test(ref)) throw new Error(`external reference "${ref}" has characters X3 REF does not accept`);
  return ref;
}
