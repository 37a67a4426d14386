import { SimDiagnosis } from '../business-rules';
import { FolderStore, X3Record } from '../folder-store';
import { compareValues } from '../sdata-where.parser';
import { GqlField, GqlOperation, GqlTypeRef, GqlValue, GraphqlSyntaxError, parseGraphql } from './graphql.parser';
import { compileFilter, parseXtremOrderBy, XtremFilterError } from './xtrem-filter';
import { LineDef, NodeDef, XTREM_DOMAINS, XTREM_WRITABLE } from './xtrem-nodes';

/** A request/validation error: answered 400 `{ errors: [{ message }] }`. */
export class GraphqlRequestError extends Error {}

export type CreateOutcome = { ok: true; record: X3Record } | { ok: false; diagnoses: SimDiagnosis[] };

export interface GraphqlContext {
  store: FolderStore;
  /** Validates with X3's rules and stores; the simulator records the created document. */
  create(className: string, body: X3Record): CreateOutcome;
}

export interface GraphqlResponse {
  status: number;
  body: unknown;
  operation?: 'query' | 'mutation';
}

const MAX_FIRST = 1000;
const DEFAULT_FIRST = 20;

export function executeGraphql(requestBody: unknown, ctx: GraphqlContext): GraphqlResponse {
  try {
    return execute(requestBody, ctx);
  } catch (error) {
    if (
      error instanceof GraphqlRequestError ||
      error instanceof GraphqlSyntaxError ||
      error instanceof XtremFilterError
    ) {
      return { status: 400, body: { errors: [{ message: error.message }] } };
    }
    throw error;
  }
}

function execute(requestBody: unknown, ctx: GraphqlContext): GraphqlResponse {
  if (!isObject(requestBody) || typeof requestBody['query'] !== 'string' || !requestBody['query'].trim()) {
    throw new GraphqlRequestError('Must provide query string.');
  }
  const rawVariables = requestBody['variables'] ?? {};
  if (!isObject(rawVariables)) throw new GraphqlRequestError('Variables must be an object.');
  const operations = parseGraphql(requestBody['query']);
  const operationName = requestBody['operationName'];
  let op: GqlOperation | undefined;
  if (typeof operationName === 'string' && operationName) {
    op = operations.find((o) => o.name === operationName);
    if (!op) throw new GraphqlRequestError(`Unknown operation named "${operationName}".`);
  } else {
    if (operations.length > 1)
      throw new GraphqlRequestError('Must provide operation name if query contains multiple operations.');
    op = operations[0];
  }
  const variables = coerceVariables(op, rawVariables);
  const data: Record<string, unknown> = {};
  const errors: unknown[] = [];
  const rootType = op.operation === 'query' ? 'Query' : 'Mutation';
  for (const domainSel of op.selectionSet) {
    const key = domainSel.alias ?? domainSel.name;
    if (domainSel.name === '__typename') {
      data[key] = rootType;
      continue;
    }
    const domain = XTREM_DOMAINS[domainSel.name];
    if (!domain) throw new GraphqlRequestError(`Cannot query field "${domainSel.name}" on type "${rootType}".`);
    noArgs(domainSel);
    const domainOut: Record<string, unknown> = {};
    for (const entitySel of requireSelection(domainSel)) {
      const entityKey = entitySel.alias ?? entitySel.name;
      if (entitySel.name === '__typename') {
        domainOut[entityKey] = `${domainSel.name}_${rootType}`;
        continue;
      }
      const def = domain[entitySel.name];
      if (!def) throw new GraphqlRequestError(`Cannot query field "${entitySel.name}" on type "${domainSel.name}".`);
      noArgs(entitySel);
      const entityOut: Record<string, unknown> = {};
      const writable = XTREM_WRITABLE.has(`${domainSel.name}.${entitySel.name}`);
      const opsType = `${def.typeName}_${op.operation === 'query' ? 'Queries' : 'Mutations'}`;
      for (const opSel of requireSelection(entitySel)) {
        const opKey = opSel.alias ?? opSel.name;
        const args = resolveArgs(opSel, variables);
        if (opSel.name === '__typename') entityOut[opKey] = opsType;
        else if (op.operation === 'query' && opSel.name === 'query')
          entityOut[opKey] = queryConnection(def, ctx.store, args, opSel);
        else if (op.operation === 'query' && opSel.name === 'read')
          entityOut[opKey] = readNode(def, ctx.store, args, opSel);
        else if (op.operation === 'mutation' && opSel.name === 'create' && writable) {
          const path = [domainSel.alias ?? domainSel.name, entityKey, opKey];
          const result = createNode(def, ctx, args, opSel, path);
          entityOut[opKey] = result.value;
          if (result.error) errors.push(result.error);
        } else {
          const hint =
            op.operation === 'mutation' && !writable ? ` (${entitySel.name} is not writable through GraphQL)` : '';
          throw new GraphqlRequestError(`Cannot query field "${opSel.name}" on type "${opsType}".${hint}`);
        }
      }
      domainOut[entityKey] = entityOut;
    }
    data[key] = domainOut;
  }
  return { status: 200, body: errors.length ? { data, errors } : { data }, operation: op.operation };
}

// ------------------------------------------------------------------ variables and arguments

function coerceVariables(op: GqlOperation, raw: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const def of op.variables) {
    let value: unknown = raw[def.name];
    if (value === undefined && def.defaultValue) value = resolveValue(def.defaultValue, new Map());
    if ((value === undefined || value === null) && def.type.nonNull) {
      throw new GraphqlRequestError(
        `Variable "$${def.name}" of required type "${typeName(def.type)}" was not provided.`,
      );
    }
    if (value !== undefined && value !== null) checkType(def.name, def.type, value);
    out.set(def.name, value ?? null);
  }
  return out;
}

function typeName(t: GqlTypeRef): string {
  const base = t.list ? `[${typeName(t.list)}]` : (t.name ?? '');
  return t.nonNull ? `${base}!` : base;
}

function checkType(name: string, t: GqlTypeRef, value: unknown): void {
  const bad = (): never => {
    throw new GraphqlRequestError(
      `Variable "$${name}" got invalid value ${JSON.stringify(value)}; expected type "${typeName(t)}".`,
    );
  };
  if (t.list) {
    if (!Array.isArray(value)) bad();
    return;
  }
  if (t.name === 'Int' && !(typeof value === 'number' && Number.isInteger(value))) bad();
  if ((t.name === 'String' || t.name === 'ID') && typeof value !== 'string') bad();
  if (t.name === 'Boolean' && typeof value !== 'boolean') bad();
}

function resolveValue(v: GqlValue, vars: Map<string, unknown>): unknown {
  switch (v.kind) {
    case 'variable':
      if (!vars.has(v.name)) throw new GraphqlRequestError(`Variable "$${v.name}" is not defined.`);
      return vars.get(v.name);
    case 'int':
      return Number(v.value);
    case 'float':
      // Decimal literals stay text: amounts must not pass through binary floats.
      return v.value;
    case 'string':
    case 'enum':
      return v.value;
    case 'boolean':
      return v.value;
    case 'null':
      return null;
    case 'list':
      return v.values.map((x) => resolveValue(x, vars));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const field of v.fields) out[field.name] = resolveValue(field.value, vars);
      return out;
    }
  }
}

function resolveArgs(sel: GqlField, vars: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of sel.arguments) {
    if (arg.name in out) throw new GraphqlRequestError(`There can be only one argument named "${arg.name}".`);
    out[arg.name] = resolveValue(arg.value, vars);
  }
  return out;
}

function allowArgs(sel: GqlField, args: Record<string, unknown>, allowed: string[]): void {
  for (const name of Object.keys(args)) {
    if (!allowed.includes(name)) throw new GraphqlRequestError(`Unknown argument "${name}" on field "${sel.name}".`);
  }
}

function noArgs(sel: GqlField): void {
  if (sel.arguments.length)
    throw new GraphqlRequestError(`Unknown argument "${sel.arguments[0].name}" on field "${sel.name}".`);
}

function requireSelection(sel: GqlField): GqlField[] {
  if (!sel.selectionSet)
    throw new GraphqlRequestError(`Field "${sel.name}" of an object type must have a selection of subfields.`);
  return sel.selectionSet;
}

function optionalString(args: Record<string, unknown>, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new GraphqlRequestError(`Argument "${name}" must be a String.`);
  return v;
}

// ------------------------------------------------------------------ reads

interface Row {
  id: string;
  record: X3Record;
  view: Record<string, unknown>;
}

function rowsOf(def: NodeDef, store: FolderStore): Row[] {
  return store.list(def.className).map((record) => {
    const id = store.keyOf(def.className, record);
    const view: Record<string, unknown> = { _id: id };
    for (const [name, get] of Object.entries(def.fields)) view[name] = get(record);
    return { id, record, view };
  });
}

function queryConnection(
  def: NodeDef,
  store: FolderStore,
  args: Record<string, unknown>,
  sel: GqlField,
): Record<string, unknown> {
  allowArgs(sel, args, ['first', 'after', 'filter', 'orderBy']);
  const firstArg = args['first'];
  if (
    firstArg !== undefined &&
    firstArg !== null &&
    !(typeof firstArg === 'number' && Number.isInteger(firstArg) && firstArg >= 0 && firstArg <= MAX_FIRST)
  ) {
    throw new GraphqlRequestError(`Argument "first" must be an integer between 0 and ${MAX_FIRST}.`);
  }
  const first = typeof firstArg === 'number' ? firstArg : DEFAULT_FIRST;
  const known = new Set(['_id', ...Object.keys(def.fields)]);
  const filter = optionalString(args, 'filter');
  const orderBy = optionalString(args, 'orderBy');
  const after = optionalString(args, 'after');
  let rows = rowsOf(def, store);
  if (filter) {
    const predicate = compileFilter(filter, known);
    rows = rows.filter((r) => predicate(r.view));
  }
  const terms = orderBy ? parseXtremOrderBy(orderBy, known).filter((t) => t.field !== '_id') : [];
  const idTerm = orderBy ? parseXtremOrderBy(orderBy, known).find((t) => t.field === '_id') : undefined;
  const tuple = (r: Row): unknown[] => [...terms.map((t) => r.view[t.field]), r.id];
  const directions = [...terms.map((t) => t.direction), idTerm?.direction ?? 1];
  const compare = (a: unknown[], b: unknown[]): number => {
    for (let i = 0; i < directions.length; i++) {
      const c = i === directions.length - 1 ? compareText(a[i], b[i]) : compareValues(a[i], b[i]);
      if (c !== 0) return c * directions[i];
    }
    return 0;
  };
  rows.sort((a, b) => compare(tuple(a), tuple(b)));
  const totalCount = rows.length;
  if (after) {
    const position = decodeCursor(after, directions.length);
    rows = rows.filter((r) => compare(tuple(r), position) > 0);
  }
  const page = rows.slice(0, first);
  const hasNextPage = rows.length > first;
  const out: Record<string, unknown> = {};
  for (const s of requireSelection(sel)) {
    const key = s.alias ?? s.name;
    noArgs(s);
    if (s.name === '__typename') out[key] = `${def.typeName}_Connection`;
    else if (s.name === 'totalCount') out[key] = totalCount;
    else if (s.name === 'edges') {
      for (const e of requireSelection(s)) {
        if (!['cursor', 'node', '__typename'].includes(e.name))
          throw new GraphqlRequestError(`Cannot query field "${e.name}" on type "${def.typeName}_Edge".`);
        if (e.name === 'node') projectNode(def, { id: '', record: {}, view: {} }, requireSelection(e));
        else scalar(e, `${def.typeName}_Edge`);
      }
      out[key] = page.map((row) => {
        const edge: Record<string, unknown> = {};
        for (const e of requireSelection(s)) {
          const ek = e.alias ?? e.name;
          noArgs(e);
          if (e.name === 'cursor') edge[ek] = encodeCursor(tuple(row));
          else if (e.name === 'node') edge[ek] = projectNode(def, row, requireSelection(e));
          else edge[ek] = `${def.typeName}_Edge`;
        }
        return edge;
      });
    } else if (s.name === 'pageInfo') {
      const info: Record<string, unknown> = {};
      for (const p of requireSelection(s)) {
        const pk = p.alias ?? p.name;
        noArgs(p);
        if (p.name === 'endCursor') info[pk] = page.length ? encodeCursor(tuple(page[page.length - 1])) : null;
        else if (p.name === 'startCursor') info[pk] = page.length ? encodeCursor(tuple(page[0])) : null;
        else if (p.name === 'hasNextPage') info[pk] = hasNextPage;
        else if (p.name === 'hasPreviousPage') info[pk] = Boolean(after);
        else if (p.name === '__typename') info[pk] = 'PageInfo';
        else throw new GraphqlRequestError(`Cannot query field "${p.name}" on type "PageInfo".`);
      }
      out[key] = info;
    } else throw new GraphqlRequestError(`Cannot query field "${s.name}" on type "${def.typeName}_Connection".`);
  }
  return out;
}

function readNode(
  def: NodeDef,
  store: FolderStore,
  args: Record<string, unknown>,
  sel: GqlField,
): Record<string, unknown> | null {
  allowArgs(sel, args, ['_id']);
  const id = args['_id'];
  if (typeof id !== 'string') throw new GraphqlRequestError('Argument "_id" of type "ID!" is required.');
  const selection = requireSelection(sel);
  const record = store.get(def.className, id);
  if (!record) {
    projectNode(def, { id, record: {}, view: {} }, selection); // still validate the selection
    return null;
  }
  return projectNode(def, rowsOf(def, store).find((r) => r.id === id) ?? { id, record, view: {} }, selection);
}

function projectNode(def: NodeDef, row: Row, selection: GqlField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of selection) {
    const key = s.alias ?? s.name;
    noArgs(s);
    if (s.name === '__typename') {
      out[key] = def.typeName;
      continue;
    }
    if (s.name === '_id') {
      scalar(s, def.typeName);
      out[key] = row.id;
      continue;
    }
    const get = def.fields[s.name];
    if (get) {
      scalar(s, def.typeName);
      out[key] = get(row.record);
      continue;
    }
    const list = def.lists[s.name];
    if (!list) throw new GraphqlRequestError(`Cannot query field "${s.name}" on type "${def.typeName}".`);
    out[key] = projectLines(list, row.record, requireSelection(s));
  }
  return out;
}

function projectLines(list: LineDef, record: X3Record, selection: GqlField[]): Array<Record<string, unknown>> {
  for (const s of selection) {
    noArgs(s);
    if (s.name !== '__typename' && !list.fields[s.name])
      throw new GraphqlRequestError(`Cannot query field "${s.name}" on type "${list.typeName}".`);
    scalar(s, list.typeName);
  }
  const lines = Array.isArray(record[list.source]) ? (record[list.source] as X3Record[]) : [];
  return lines.map((line) => {
    const out: Record<string, unknown> = {};
    for (const s of selection)
      out[s.alias ?? s.name] = s.name === '__typename' ? list.typeName : list.fields[s.name](line);
    return out;
  });
}

function scalar(s: GqlField, parentType: string): void {
  if (s.selectionSet)
    throw new GraphqlRequestError(
      `Field "${s.name}" on type "${parentType}" is a scalar and must not have a selection of subfields.`,
    );
}

function compareText(a: unknown, b: unknown): number {
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function encodeCursor(tuple: unknown[]): string {
  return Buffer.from(JSON.stringify(tuple)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === length) return value;
  } catch {
    // fall through
  }
  throw new GraphqlRequestError('Invalid cursor in argument "after" (cursors are only valid with the same orderBy).');
}

// ------------------------------------------------------------------ mutation

function createNode(
  def: NodeDef,
  ctx: GraphqlContext,
  args: Record<string, unknown>,
  sel: GqlField,
  path: string[],
): { value: Record<string, unknown> | null; error?: unknown } {
  allowArgs(sel, args, ['data']);
  const data = args['data'];
  if (!isObject(data)) throw new GraphqlRequestError('Argument "data" of type "Object!" is required.');
  const selection = requireSelection(sel);
  projectNode(def, { id: '', record: {}, view: {} }, selection); // validate before writing
  const input = def.input;
  if (!input) throw new GraphqlRequestError(`${def.typeName} is not writable.`);
  const body: X3Record = {};
  for (const [prop, value] of Object.entries(data)) {
    if (prop === input.lines.property) {
      if (!Array.isArray(value)) throw new GraphqlRequestError(`Field "${prop}" must be a list.`);
      body[input.lines.field] = value.map((line, index) => {
        if (!isObject(line)) throw new GraphqlRequestError(`${prop}[${index}] must be an object.`);
        const out: X3Record = {};
        for (const [lp, lv] of Object.entries(line)) {
          const field = input.lines.map[lp];
          if (!field)
            throw new GraphqlRequestError(`Field "${lp}" is not defined by type "${def.typeName}Line_Input".`);
          out[field] = lv;
        }
        return out;
      });
      continue;
    }
    const field = input.header[prop];
    if (!field) throw new GraphqlRequestError(`Field "${prop}" is not defined by type "${def.typeName}_Input".`);
    body[field] = value;
  }
  const outcome = ctx.create(def.className, body);
  if (outcome.ok) {
    const id = ctx.store.keyOf(def.className, outcome.record);
    const row = rowsOf(def, ctx.store).find((r) => r.id === id);
    return { value: row ? projectNode(def, row, selection) : null };
  }
  const toGraphqlPath = (p?: string[]): string[] | undefined => p?.map((segment) => reverseLookup(input, segment));
  return {
    value: null,
    error: {
      message: 'The record was not created.',
      path,
      extensions: {
        code: 'data-input-error',
        diagnoses: outcome.diagnoses.map((d) => ({
          severity: d.severity,
          message: d.message,
          path: toGraphqlPath(d.path) ?? [],
        })),
      },
    },
  };
}

function reverseLookup(input: NonNullable<NodeDef['input']>, x3Field: string): string {
  if (x3Field === input.lines.field) return input.lines.property;
  return (
    Object.entries(input.header).find(([, f]) => f === x3Field)?.[0] ??
    Object.entries(input.lines.map).find(([, f]) => f === x3Field)?.[0] ??
    x3Field
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
