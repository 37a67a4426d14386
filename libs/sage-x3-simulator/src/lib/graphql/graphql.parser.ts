/**
 * Hand-rolled parser for the GraphQL subset the simulator serves: one or more operations (query/mutation,
 * optional name and variable definitions), fields with aliases, arguments and nested selections, all value
 * literals. Fragments and directives are rejected.
 */

export class GraphqlSyntaxError extends Error {}

export type GqlValue =
  | { kind: 'variable'; name: string }
  | { kind: 'int' | 'float'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'enum'; value: string }
  | { kind: 'list'; values: GqlValue[] }
  | { kind: 'object'; fields: Array<{ name: string; value: GqlValue }> };

export interface GqlField {
  alias?: string;
  name: string;
  arguments: Array<{ name: string; value: GqlValue }>;
  selectionSet?: GqlField[];
}

export interface GqlTypeRef {
  name?: string;
  list?: GqlTypeRef;
  nonNull: boolean;
}

export interface GqlVariableDefinition {
  name: string;
  type: GqlTypeRef;
  defaultValue?: GqlValue;
}

export interface GqlOperation {
  operation: 'query' | 'mutation';
  name?: string;
  variables: GqlVariableDefinition[];
  selectionSet: GqlField[];
}

type Tok = { kind: 'punct' | 'name' | 'int' | 'float' | 'string'; value: string; pos: number };

function lex(source: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (/[\s,\uFEFF]/.test(c)) {
      i++; // commas are insignificant in GraphQL
    } else if (source.startsWith('...', i)) {
      toks.push({ kind: 'punct', value: '...', pos: i });
      i += 3;
    } else if ('{}()[]:=!$@|&'.includes(c)) {
      toks.push({ kind: 'punct', value: c, pos: i });
      i++;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end < 0) throw new GraphqlSyntaxError(`Syntax Error: Unterminated string at position ${i}.`);
        toks.push({ kind: 'string', value: source.slice(i + 3, end), pos: i });
        i = end + 3;
        continue;
      }
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length || source[j] === '\n')
          throw new GraphqlSyntaxError(`Syntax Error: Unterminated string at position ${i}.`);
        const ch = source[j];
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = source[j + 1];
          const map: Record<string, string> = {
            '"': '"',
            '\\': '\\',
            '/': '/',
            b: '\b',
            f: '\f',
            n: '\n',
            r: '\r',
            t: '\t',
          };
          if (esc === 'u') {
            const hex = source.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex))
              throw new GraphqlSyntaxError(`Syntax Error: Invalid Unicode escape at position ${j}.`);
            value += String.fromCharCode(parseInt(hex, 16));
            j += 6;
            continue;
          }
          if (!(esc in map))
            throw new GraphqlSyntaxError(`Syntax Error: Invalid character escape sequence at position ${j}.`);
          value += map[esc];
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      toks.push({ kind: 'string', value, pos: i });
      i = j + 1;
    } else if (/[-\d]/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!m) throw new GraphqlSyntaxError(`Syntax Error: Invalid number at position ${i}.`);
      toks.push({ kind: m[2] || m[3] ? 'float' : 'int', value: m[0], pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
      const name = m ? m[0] : c;
      toks.push({ kind: 'name', value: name, pos: i });
      i += name.length;
    } else {
      throw new GraphqlSyntaxError(`Syntax Error: Unexpected character "${c}" at position ${i}.`);
    }
  }
  return toks;
}

export function parseGraphql(source: string): GqlOperation[] {
  if (source.length > 100_000) throw new GraphqlSyntaxError('Document too large.');
  const toks = lex(source);
  let pos = 0;
  let depth = 0;

  const peek = (): Tok | undefined => toks[pos];
  const fail = (expected: string): never => {
    const tok = toks[pos];
    throw new GraphqlSyntaxError(
      tok
        ? `Syntax Error: Expected ${expected}, found "${tok.value}" at position ${tok.pos}.`
        : `Syntax Error: Expected ${expected}, found <EOF>.`,
    );
  };
  const isPunct = (v: string): boolean => peek()?.kind === 'punct' && peek()?.value === v;
  const expectPunct = (v: string): void => {
    if (!isPunct(v)) fail(`"${v}"`);
    pos++;
  };
  const expectName = (): string => {
    const tok = peek();
    if (tok?.kind !== 'name') return fail('Name');
    pos++;
    return tok.value;
  };

  const value = (constant: boolean): GqlValue => {
    const tok = peek();
    if (!tok) return fail('value');
    if (tok.kind === 'punct' && tok.value === '$') {
      if (constant)
        throw new GraphqlSyntaxError(`Syntax Error: Unexpected variable in constant value at position ${tok.pos}.`);
      pos++;
      return { kind: 'variable', name: expectName() };
    }
    if (tok.kind === 'int' || tok.kind === 'float') {
      pos++;
      return { kind: tok.kind, value: tok.value };
    }
    if (tok.kind === 'string') {
      pos++;
      return { kind: 'string', value: tok.value };
    }
    if (tok.kind === 'name') {
      pos++;
      if (tok.value === 'true' || tok.value === 'false') return { kind: 'boolean', value: tok.value === 'true' };
      if (tok.value === 'null') return { kind: 'null' };
      return { kind: 'enum', value: tok.value };
    }
    if (tok.value === '[') {
      pos++;
      const values: GqlValue[] = [];
      while (!isPunct(']')) {
        if (!peek()) fail('"]"');
        values.push(value(constant));
      }
      pos++;
      return { kind: 'list', values };
    }
    if (tok.value === '{') {
      pos++;
      const fields: Array<{ name: string; value: GqlValue }> = [];
      while (!isPunct('}')) {
        if (!peek()) fail('"}"');
        const name = expectName();
        expectPunct(':');
        fields.push({ name, value: value(constant) });
      }
      pos++;
      return { kind: 'object', fields };
    }
    return fail('value');
  };

  const typeRef = (): GqlTypeRef => {
    let ref: GqlTypeRef;
    if (isPunct('[')) {
      pos++;
      ref = { list: typeRef(), nonNull: false };
      expectPunct(']');
    } else ref = { name: expectName(), nonNull: false };
    if (isPunct('!')) {
      pos++;
      ref.nonNull = true;
    }
    return ref;
  };

  const selectionSet = (): GqlField[] => {
    expectPunct('{');
    if (++depth > 20) throw new GraphqlSyntaxError('Query is nested too deeply.');
    const fields: GqlField[] = [];
    while (!isPunct('}')) {
      if (!peek()) fail('"}"');
      if (isPunct('...')) throw new GraphqlSyntaxError('Fragments are not supported by this endpoint.');
      let name = expectName();
      let alias: string | undefined;
      if (isPunct(':')) {
        pos++;
        alias = name;
        name = expectName();
      }
      const args: Array<{ name: string; value: GqlValue }> = [];
      if (isPunct('(')) {
        pos++;
        while (!isPunct(')')) {
          if (!peek()) fail('")"');
          const argName = expectName();
          expectPunct(':');
          args.push({ name: argName, value: value(false) });
        }
        pos++;
        if (!args.length) throw new GraphqlSyntaxError('Syntax Error: Expected Name, found ")".');
      }
      if (isPunct('@')) throw new GraphqlSyntaxError('Directives are not supported by this endpoint.');
      const field: GqlField = { alias, name, arguments: args };
      if (isPunct('{')) field.selectionSet = selectionSet();
      fields.push(field);
    }
    pos++;
    depth--;
    if (!fields.length) throw new GraphqlSyntaxError('Syntax Error: Expected Name, found "}".');
    return fields;
  };

  const operations: GqlOperation[] = [];
  while (pos < toks.length) {
    if (isPunct('{')) {
      operations.push({ operation: 'query', variables: [], selectionSet: selectionSet() });
      continue;
    }
    const keyword = expectName();
    if (keyword === 'fragment' || keyword === 'subscription')
      throw new GraphqlSyntaxError(`${keyword} definitions are not supported by this endpoint.`);
    if (keyword !== 'query' && keyword !== 'mutation') {
      pos--;
      fail('"query", "mutation" or "{"');
    }
    const op: GqlOperation = { operation: keyword as 'query' | 'mutation', variables: [], selectionSet: [] };
    if (peek()?.kind === 'name') op.name = expectName();
    if (isPunct('(')) {
      pos++;
      while (!isPunct(')')) {
        expectPunct('$');
        const name = expectName();
        expectPunct(':');
        const type = typeRef();
        let defaultValue: GqlValue | undefined;
        if (isPunct('=')) {
          pos++;
          defaultValue = value(true);
        }
        op.variables.push({ name, type, defaultValue });
      }
      pos++;
    }
    if (isPunct('@')) throw new GraphqlSyntaxError('Directives are not supported by this endpoint.');
    op.selectionSet = selectionSet();
    operations.push(op);
  }
  if (!operations.length) throw new GraphqlSyntaxError('Syntax Error: Unexpected <EOF>.');
  return operations;
}
