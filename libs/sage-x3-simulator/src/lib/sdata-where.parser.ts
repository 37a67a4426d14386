import { Decimal, toDecimal } from '@connector/decimal';

/** Parser and evaluator for the SData `where` subset api1 accepts: eq ne lt le gt ge between in like and or not. */

export class SdataSyntaxError extends Error {}

/** A where/orderBy names a property the representation does not publish (X3 answers HTTP 500, not 400). */
export class SdataUnknownPropertyError extends SdataSyntaxError {
  constructor(readonly property: string) {
    super(`Unknown property '${property}'`);
  }
}

export type WhereLiteral =
  | { type: 'string'; value: string }
  | { type: 'number'; value: string }
  | { type: 'date'; value: number; dateOnly: boolean }
  | { type: 'bool'; value: boolean }
  | { type: 'null' };

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type WhereNode =
  | { kind: 'and' | 'or'; left: WhereNode; right: WhereNode }
  | { kind: 'not'; expr: WhereNode }
  | { kind: 'cmp'; field: string; op: CompareOp; value: WhereLiteral }
  | { kind: 'between'; field: string; low: WhereLiteral; high: WhereLiteral }
  | { kind: 'in'; field: string; values: WhereLiteral[] }
  | { kind: 'like'; field: string; pattern: string };

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: string }
  | { t: 'date'; v: string }
  | { t: '(' | ')' | ',' };

const COMPARE_OPS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c });
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new SdataSyntaxError('unterminated string literal in where clause');
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += input[i++];
      }
      tokens.push({ t: 'string', v: value });
    } else if (c === '@') {
      const end = input.indexOf('@', i + 1);
      if (end < 0) throw new SdataSyntaxError('unterminated date literal in where clause');
      tokens.push({ t: 'date', v: input.slice(i + 1, end) });
      i = end + 1;
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i));
      if (!m) throw new SdataSyntaxError(`unexpected '${c}' in where clause`);
      tokens.push({ t: 'number', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i));
      tokens.push({ t: 'ident', v: m ? m[0] : c });
      i += m ? m[0].length : 1;
    } else {
      throw new SdataSyntaxError(`unexpected '${c}' in where clause`);
    }
  }
  return tokens;
}

function parseDateLiteral(text: string): WhereLiteral {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return { type: 'date', value: Date.parse(`${text}T00:00:00Z`), dateOnly: true };
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    return { type: 'date', value: Date.parse(text), dateOnly: false };
  }
  throw new SdataSyntaxError(`invalid date literal @${text}@`);
}

export function parseWhere(input: string, fieldExists: (field: string) => boolean): WhereNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isKeyword = (tok: Token | undefined, kw: string): boolean => tok?.t === 'ident' && tok.v.toLowerCase() === kw;

  const literal = (): WhereLiteral => {
    const tok = tokens[pos++];
    if (!tok) throw new SdataSyntaxError('where clause ends where a value was expected');
    if (tok.t === 'string') return { type: 'string', value: tok.v };
    if (tok.t === 'number') return { type: 'number', value: tok.v };
    if (tok.t === 'date') return parseDateLiteral(tok.v);
    if (tok.t === 'ident' && /^(true|false)$/i.test(tok.v))
      return { type: 'bool', value: tok.v.toLowerCase() === 'true' };
    if (tok.t === 'ident' && /^null$/i.test(tok.v)) return { type: 'null' };
    throw new SdataSyntaxError(`a value was expected in where clause, found ${describeToken(tok)}`);
  };

  const primary = (): WhereNode => {
    const tok = peek();
    if (!tok) throw new SdataSyntaxError('where clause ends unexpectedly');
    if (isKeyword(tok, 'not')) {
      pos++;
      return { kind: 'not', expr: primary() };
    }
    if (tok.t === '(') {
      pos++;
      const expr = orExpr();
      if (peek()?.t !== ')') throw new SdataSyntaxError("missing ')' in where clause");
      pos++;
      return expr;
    }
    if (tok.t !== 'ident') throw new SdataSyntaxError(`a property name was expected, found ${describeToken(tok)}`);
    pos++;
    const field = tok.v;
    if (!fieldExists(field)) throw new SdataUnknownPropertyError(field);
    const opTok = tokens[pos++];
    if (!opTok || opTok.t !== 'ident') throw new SdataSyntaxError(`an operator was expected after ${field}`);
    const op = opTok.v.toLowerCase();
    if (COMPARE_OPS.has(op)) return { kind: 'cmp', field, op: op as CompareOp, value: literal() };
    if (op === 'between') {
      const low = literal();
      if (!isKeyword(peek(), 'and')) throw new SdataSyntaxError("'between' needs 'and'");
      pos++;
      return { kind: 'between', field, low, high: literal() };
    }
    if (op === 'in') {
      if (peek()?.t !== '(') throw new SdataSyntaxError("'in' needs a parenthesised list");
      pos++;
      const values: WhereLiteral[] = [literal()];
      while (peek()?.t === ',') {
        pos++;
        values.push(literal());
      }
      if (peek()?.t !== ')') throw new SdataSyntaxError("missing ')' after 'in' list");
      pos++;
      return { kind: 'in', field, values };
    }
    if (op === 'like') {
      const pattern = literal();
      if (pattern.type !== 'string') throw new SdataSyntaxError("'like' needs a string pattern");
      return { kind: 'like', field, pattern: pattern.value };
    }
    throw new SdataSyntaxError(`unknown operator '${opTok.v}'`);
  };

  const andExpr = (): WhereNode => {
    let left = primary();
    while (isKeyword(peek(), 'and')) {
      pos++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };

  const orExpr = (): WhereNode => {
    let left = andExpr();
    while (isKeyword(peek(), 'or')) {
      pos++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };

  if (!tokens.length) throw new SdataSyntaxError('empty where clause');
  const tree = orExpr();
  if (pos < tokens.length) throw new SdataSyntaxError(`unexpected ${describeToken(tokens[pos])} in where clause`);
  return tree;
}

function describeToken(tok: Token): string {
  return 'v' in tok ? `'${tok.v}'` : `'${tok.t}'`;
}

/** -1/0/1, or undefined when the value cannot be compared with the literal. */
export function compareToLiteral(value: unknown, lit: WhereLiteral): number | undefined {
  if (lit.type === 'null') return value === null || value === undefined || value === '' ? 0 : 1;
  if (value === null || value === undefined) return undefined;
  switch (lit.type) {
    case 'date': {
      const ms =
        typeof value === 'string' ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value) : NaN;
      if (!Number.isFinite(ms)) return undefined;
      return Math.sign(ms - lit.value);
    }
    case 'number': {
      let d: Decimal;
      try {
        d = toDecimal(typeof value === 'number' || typeof value === 'string' ? value : String(value));
      } catch {
        return undefined;
      }
      return d.comparedTo(toDecimal(lit.value));
    }
    case 'bool': {
      const b = value === true || value === 2 || value === '2' || value === 'true';
      return b === lit.value ? 0 : 1;
    }
    case 'string': {
      const s = String(value);
      return s < lit.value ? -1 : s > lit.value ? 1 : 0;
    }
  }
}

export function evaluateWhere(node: WhereNode, record: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateWhere(node.left, record) && evaluateWhere(node.right, record);
    case 'or':
      return evaluateWhere(node.left, record) || evaluateWhere(node.right, record);
    case 'not':
      return !evaluateWhere(node.expr, record);
    case 'cmp': {
      const c = compareToLiteral(record[node.field], node.value);
      if (c === undefined) return node.op === 'ne';
      return { eq: c === 0, ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[node.op];
    }
    case 'between': {
      const lo = compareToLiteral(record[node.field], node.low);
      const hi = compareToLiteral(record[node.field], node.high);
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
    case 'in':
      return node.values.some((v) => compareToLiteral(record[node.field], v) === 0);
    case 'like': {
      const value = record[node.field];
      if (value === undefined || value === null) return false;
      const regex = new RegExp(
        `^${node.pattern
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/_/g, '.')}$`,
        's',
      );
      return regex.test(String(value));
    }
  }
}

export interface OrderTerm {
  field: string;
  desc: boolean;
}

/** `FIELD desc, OTHER asc` */
export function parseOrderBy(input: string, fieldExists: (field: string) => boolean): OrderTerm[] {
  return input.split(',').map((part) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m) throw new SdataSyntaxError(`invalid orderBy term '${part.trim()}'`);
    if (!fieldExists(m[1])) throw new SdataUnknownPropertyError(m[1]);
    return { field: m[1], desc: (m[2] ?? 'asc').toLowerCase() === 'desc' };
  });
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Orders X3 values: date-times by instant, numbers/decimal strings numerically, other strings as text. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string' && ISO_DATETIME.test(a) && ISO_DATETIME.test(b)) {
    return Math.sign(Date.parse(a) - Date.parse(b));
  }
  const numeric = /^-?\d+(\.\d+)?$/;
  if (
    (typeof a === 'number' || (typeof a === 'string' && numeric.test(a))) &&
    (typeof b === 'number' || (typeof b === 'string' && numeric.test(b)))
  ) {
    return toDecimal(a as string | number).comparedTo(toDecimal(b as string | number));
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
