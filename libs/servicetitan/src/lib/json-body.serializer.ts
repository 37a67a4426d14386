import { randomBytes } from 'node:crypto';
import { Decimal } from '@connector/decimal';

/**
 * JSON.stringify for request bodies whose money fields the API types as JSON numbers (pricebook costs, vendor tax
 * rates): a `Decimal` value is written as the exact number literal of its decimal text, never through a float.
 * Everything else is serialised as JSON.stringify would.
 */
export function serializeJsonBody(body: unknown): string {
  // A per-call random marker: no string in the body can collide with it.
  const marker = `@@decimal-${randomBytes(8).toString('hex')}:`;
  let used = false;
  const text = JSON.stringify(body, function (this: unknown, key: string, value: unknown) {
    // Decimal has toJSON (a string), so `value` is already that string: look at the original on the holder.
    const original = (this as Record<string, unknown>)[key];
    if (original instanceof Decimal) {
      if (!original.isFinite()) throw new RangeError(`${key || 'body'} is not a finite number`);
      used = true;
      return marker + original.toFixed();
    }
    return value;
  });
  if (!used) return text;
  return text.replace(new RegExp(`"${marker}(-?\\d+(?:\\.\\d+)?)"`, 'g'), '$1');
}
