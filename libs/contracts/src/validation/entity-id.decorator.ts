import { ValidateBy, ValidationOptions } from 'class-validator';

/** Largest revision counter the connector stores (PostgreSQL INTEGER in the audit trail). */
export const MAX_REVISION = 2_147_483_647;

/** A ServiceTitan (or other source) record id: a positive integer JavaScript holds exactly (1 … 2^53 − 1). */
export function isEntityId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Reads an id as a source sends it: a JSON number or a string of digits. Never rounds: a value beyond 2^53 − 1
 * (e.g. "9007199254740993", which `Number()` would silently turn into …992) is refused with the reason, as are
 * zero, negatives, fractions, exponents, spaces and anything that is not a plain integer. Throws a RangeError whose
 * message is the reason (prefixed with `field`).
 */
export function toEntityId(value: unknown, field = 'id'): number {
  if (typeof value === 'number') {
    if (isEntityId(value)) return value;
    if (Number.isInteger(value) && value > 0)
      throw new RangeError(`${field} ${value} is beyond 2^53 − 1: it cannot be held exactly`);
    throw new RangeError(`${field} must be a positive integer id (got ${JSON.stringify(value) ?? String(value)})`);
  }
  if (typeof value === 'string') {
    if (!/^[1-9]\d*$/.test(value)) {
      const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
      throw new RangeError(`${field} must be a positive integer id (got ${shown})`);
    }
    if (value.length > 16 || BigInt(value) > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RangeError(`${field} "${value.slice(0, 40)}" is beyond 2^53 − 1: it cannot be held exactly`);
    return Number(value);
  }
  throw new RangeError(`${field} must be a positive integer id (got ${value === null ? 'null' : typeof value})`);
}

/** Contract field decorator: a positive safe integer id (see isEntityId). */
export function IsEntityId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEntityId',
      validator: {
        validate: (value: unknown) => isEntityId(value),
        defaultMessage: (args) =>
          typeof args?.value === 'number' && Number.isInteger(args.value) && args.value > 0
            ? `${args?.property} is beyond 2^53 − 1: it cannot be held exactly`
            : `${args?.property} must be a positive integer id`,
      },
    },
    options,
  );
}
