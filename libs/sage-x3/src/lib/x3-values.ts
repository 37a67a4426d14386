import { toDecimalString } from '@connector/decimal';

/**
 * X3 "Yes/No" local menus (e.g. ENAFLG) arrive as 2 = Yes, 1 = No; some representations publish booleans
 * or the labels instead.
 */
export function isX3Yes(value: unknown): boolean {
  if (value === true || value === 2 || value === '2') return true;
  return typeof value === 'string' && /^(yes|true|oui)$/i.test(value.trim());
}

/** An X3 amount/quantity (JSON number or string) as a canonical decimal string; undefined when absent. */
export function x3Decimal(value: unknown, scale?: number): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new RangeError('X3 amount is neither string nor number');
  return toDecimalString(value, scale);
}
