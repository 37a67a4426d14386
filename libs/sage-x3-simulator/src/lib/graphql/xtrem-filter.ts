import { compareValues } from '../sdata-where.parser';

/**
 * Xtrem `filter` / `orderBy` arguments are strings holding a JS-like object literal:
 * `{code:'AE003'}`, `{_updateStamp:{_gte:'2025-06-01T00:00:00Z'}}`, `{code:-1}`. JSON is accepted too.
 */

export class XtremFilterError extends Error {}

type Lit = string | number | boolean | null | Lit[] | { [k: string]: Lit };

export function parseObjectLiteral(source: string): Record<string, Lit> {
  let i = 0;
  const ws = (): void => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const fail = (what: string): never => {
    throw new XtremFilterError(`Invalid filter/orderBy: ${what} at position ${i}`);
  };
  const str = (): string => {
    const quote = source[i++];
    let out = '';
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        const next = source[i + 1];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        i += 2;
      } else out += source[i++];
    }
    if (source[i] !== quote) fail('unterminated string');
    i++;
    return out;
  };
  const value = (): Lit => {
    ws();
    const c = source[i];
    if (c === '{') return obj();
    if (c === '[') {
      i++;
      const arr: Lit[] = [];
      ws();
      while (source[i] !== ']') {
        arr.push(value());
        ws();
        if (source[i] === ',') i++;
        else if (source[i] !== ']') fail("expected ',' or ']'");
        ws();
      }
      i++;
      return arr;
    }
    if (c === "'" || c === '"') return str();
    const m = /^(-?\d+(\.\d+)?|true|false|null)/.exec(source.slice(i));
    if (!m) return fail('expected a value');
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return m[0].includes('.') ? m[0] : Number(m[0]);
  };
  const obj = (): Record<string, Lit> => {
    ws();
    if (source[i] !== '{') fail("expected '{'");
    i++;
    const out: Record<string, Lit> = {};
    ws();
    while (source[i] !== '}') {
      ws();
      let key: string;
      if (source[i] === "'" || source[i] === '"') key = str();
      else {
        const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
        if (!m) return fail('expected a property name');
        key = m[0];
        i += key.length;
      }
      ws();
      if (source[i] !== ':') fail("expected ':'");
      i++;
      out[key] = value();
      ws();
      if (source[i] === ',') {
        i++;
        ws();
      } else if (source[i] !== '}') fail("expected ',' or '}'");
    }
    i++;
    return out;
  };
  const result = obj();
  ws();
  if (i < source.length) fail('unexpected trailing text');
  return result;
}

export type FilterPredicate = (view: Record<string, unknown>) => boolean;

const OPS = new Set(['_eq', '_ne', '_gt', '_gte', '_lt', '_lte', '_in', '_nin', '_regex']);

export function compileFilter(source: string, known: Set<string>): FilterPredicate {
  const tree = parseObjectLiteral(source);
  return compileObject(tree, known);
}

function compileObject(tree: Record<string, Lit>, known: Set<string>): FilterPredicate {
  const parts: FilterPredicate[] = [];
  for (const [key, raw] of Object.entries(tree)) {
    if (key === '_and' || key === '_or') {
      if (!Array.isArray(raw)) throw new XtremFilterError(`Invalid filter: ${key} needs an array`);
      const subs = raw.map((r) => {
        if (!r || typeof r !== 'object' || Array.isArray(r))
          throw new XtremFilterError(`Invalid filter: ${key} items must be objects`);
        return compileObject(r, known);
      });
      parts.push(key === '_and' ? (v) => subs.every((s) => s(v)) : (v) => subs.some((s) => s(v)));
      continue;
    }
    if (key === '_not') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw))
        throw new XtremFilterError('Invalid filter: _not needs an object');
      const sub = compileObject(raw, known);
      parts.push((v) => !sub(v));
      continue;
    }
    if (!known.has(key)) throw new XtremFilterError(`Invalid filter: unknown property '${key}'`);
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [op, operand] of Object.entries(raw)) {
        if (!OPS.has(op)) throw new XtremFilterError(`Invalid filter: unknown operator '${op}' on '${key}'`);
        parts.push(operator(key, op, operand));
      }
    } else parts.push(operator(key, '_eq', raw));
  }
  return (v) => parts.every((p) => p(v));
}

function operator(key: string, op: string, operand: Lit): FilterPredicate {
  const cmp = (v: Record<string, unknown>): number => compareValues(v[key], operand);
  switch (op) {
    case '_eq':
      return (v) => (operand === null ? v[key] === null || v[key] === undefined : equal(v[key], operand));
    case '_ne':
      return (v) => !equal(v[key], operand);
    case '_gt':
      return (v) => v[key] != null && cmp(v) > 0;
    case '_gte':
      return (v) => v[key] != null && cmp(v) >= 0;
    case '_lt':
      return (v) => v[key] != null && cmp(v) < 0;
    case '_lte':
      return (v) => v[key] != null && cmp(v) <= 0;
    case '_in':
    case '_nin': {
      if (!Array.isArray(operand)) throw new XtremFilterError(`Invalid filter: ${op} on '${key}' needs an array`);
      return op === '_in'
        ? (v) => operand.some((o) => equal(v[key], o))
        : (v) => !operand.some((o) => equal(v[key], o));
    }
    default: {
      if (typeof operand !== 'string') throw new XtremFilterError(`Invalid filter: _regex on '${key}' needs a string`);
      let regex: RegExp;
      try {
        regex = new RegExp(operand);
      } catch {
        throw new XtremFilterError(`Invalid filter: bad _regex on '${key}'`);
      }
      return (v) => v[key] != null && regex.test(String(v[key]));
    }
  }
}

function equal(a: unknown, b: Lit): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  if (a === null || a === undefined) return b === null;
  return compareValues(a, b) === 0;
}

export interface SortTerm {
  field: string;
  direction: 1 | -1;
}

export function parseXtremOrderBy(source: string, known: Set<string>): SortTerm[] {
  const tree = parseObjectLiteral(source);
  return Object.entries(tree).map(([field, dir]) => {
    if (!known.has(field)) throw new XtremFilterError(`Invalid orderBy: unknown property '${field}'`);
    if (dir !== 1 && dir !== -1) throw new XtremFilterError(`Invalid orderBy: direction of '${field}' must be 1 or -1`);
    return { field, direction: dir };
  });
}
