import { GraphqlSyntaxError, parseGraphql } from './graphql.parser';
import { parseObjectLiteral, XtremFilterError } from './xtrem-filter';

describe('GraphQL subset parser', () => {
  it('parses operations with variables, defaults, aliases and nested arguments', () => {
    const [op] = parseGraphql(`
      # comment
      query Suppliers($first: Int = 10, $after: String, $ids: [ID!]!) {
        md: x3MasterData { supplier { query(first: $first, after: $after, filter: "{code:'A'}") { edges { node { code } } } } }
      }`);
    expect(op.operation).toBe('query');
    expect(op.name).toBe('Suppliers');
    expect(op.variables.map((v) => v.name)).toEqual(['first', 'after', 'ids']);
    expect(op.variables[0].defaultValue).toEqual({ kind: 'int', value: '10' });
    expect(op.variables[2].type).toEqual({ list: { name: 'ID', nonNull: true }, nonNull: true });
    expect(op.selectionSet[0]).toMatchObject({ alias: 'md', name: 'x3MasterData' });
    const query = op.selectionSet[0].selectionSet?.[0].selectionSet?.[0];
    expect(query?.arguments.map((a) => a.name)).toEqual(['first', 'after', 'filter']);
  });

  it('parses object/list literals and string escapes in mutations', () => {
    const [op] = parseGraphql(
      'mutation { x { y { create(data: { a: "q\\"uote", n: [1, 2.50], b: true, z: null }) { _id } } } }',
    );
    expect(op.selectionSet[0].selectionSet?.[0].selectionSet?.[0].arguments[0].value).toEqual({
      kind: 'object',
      fields: [
        { name: 'a', value: { kind: 'string', value: 'q"uote' } },
        {
          name: 'n',
          value: {
            kind: 'list',
            values: [
              { kind: 'int', value: '1' },
              { kind: 'float', value: '2.50' },
            ],
          },
        },
        { name: 'b', value: { kind: 'boolean', value: true } },
        { name: 'z', value: { kind: 'null' } },
      ],
    });
  });

  it.each([
    ['{ a { b }', 'Expected "}"'],
    ['{ a(x: ) { b } }', 'Expected value'],
    ['query { }', 'Expected Name'],
    ['{ ...F }', 'Fragments are not supported'],
    ['{ a @skip(if: true) }', 'Directives are not supported'],
    ['{ a(x: "unterminated) }', 'Unterminated string'],
    ['subscription { a }', 'subscription definitions are not supported'],
    ['', 'Unexpected <EOF>'],
    ['{ a } ;', 'Unexpected character ";"'],
  ])('rejects %j', (source, message) => {
    expect(() => parseGraphql(source)).toThrow(GraphqlSyntaxError);
    expect(() => parseGraphql(source)).toThrow(message);
  });

  it('parses Xtrem filter literals (JS-like or JSON) and rejects garbage', () => {
    expect(parseObjectLiteral("{code:'AE003', _updateStamp:{_gte:'2025-06-01T00:00:00Z'}, n: -1, ok: true}")).toEqual({
      code: 'AE003',
      _updateStamp: { _gte: '2025-06-01T00:00:00Z' },
      n: -1,
      ok: true,
    });
    expect(parseObjectLiteral('{"a": ["x", 2]}')).toEqual({ a: ['x', 2] });
    expect(() => parseObjectLiteral('{code:}')).toThrow(XtremFilterError);
    expect(() => parseObjectLiteral('{code:1} extra')).toThrow(XtremFilterError);
  });
});
