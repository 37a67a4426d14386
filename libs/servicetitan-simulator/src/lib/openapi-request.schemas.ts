/**
 * Request-body schemas of the write operations the simulator serves, taken from ServiceTitan's official OpenAPI
 * specs. `extractRequestSchemas` copies each operation's body schema and the component schemas it references
 * (descriptions and examples dropped); scripts/generate-request-schemas.ts writes the result to
 * generated/request-schemas.ts so the simulator has them at run time without reading the 600 KB specs, and a unit
 * test checks the generated file still equals a fresh extraction.
 */
export type JsonSchema = { [key: string]: unknown };

export interface RequestSchemaOperation {
  module: string;
  method: string;
  /** Spec path, e.g. `/tenant/{tenant}/vendors/{id}`. */
  path: string;
  /** Body schema; `$ref`s point into `definitions[module]`. */
  schema: JsonSchema;
}

export interface RequestSchemaSet {
  operations: Record<string, RequestSchemaOperation>;
  definitions: Record<string, Record<string, JsonSchema>>;
}

/** The write operations the simulator implements: operationId per module. */
export const SIMULATED_WRITE_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  accounting: ['Invoices_MarkAsExported', 'InventoryBills_MarkAsExported'],
  inventory: ['Vendors_Create', 'Vendors_Update'],
  pricebook: ['Materials_Create', 'Materials_Update'],
};

interface OpenApiSpecLike {
  paths: Record<
    string,
    Record<string, { operationId?: string; requestBody?: { content?: Record<string, { schema?: unknown }> } }>
  >;
  components: { schemas: Record<string, unknown> };
}

const DROPPED_KEYS = new Set(['description', 'example', 'title']);

function strip(value: unknown, refs: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => strip(item, refs));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value as JsonSchema)) {
    if (DROPPED_KEYS.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof inner === 'string') refs.add(inner.replace('#/components/schemas/', ''));
    // property maps hold names, not keywords: keep every name (a property may be called `description`)
    out[key] =
      key === 'properties' && inner && typeof inner === 'object'
        ? Object.fromEntries(Object.entries(inner as JsonSchema).map(([name, prop]) => [name, strip(prop, refs)]))
        : strip(inner, refs);
  }
  return out;
}

export function extractRequestSchemas(
  specs: Readonly<Record<string, OpenApiSpecLike>>,
  operations: Readonly<Record<string, readonly string[]>> = SIMULATED_WRITE_OPERATIONS,
): RequestSchemaSet {
  const set: RequestSchemaSet = { operations: {}, definitions: {} };
  for (const [module, operationIds] of Object.entries(operations)) {
    const spec = specs[module];
    if (!spec) throw new Error(`no spec for module ${module}`);
    const refs = new Set<string>();
    for (const operationId of operationIds) {
      const found = Object.entries(spec.paths).flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(([, op]) => op.operationId === operationId)
          .map(([method, op]) => ({ path, method, op })),
      )[0];
      const schema = found?.op.requestBody?.content?.['application/json']?.schema;
      if (!found || schema === undefined) throw new Error(`${module} has no JSON request body for ${operationId}`);
      set.operations[operationId] = {
        module,
        method: found.method.toUpperCase(),
        path: found.path,
        schema: strip(schema, refs) as JsonSchema,
      };
    }
    const definitions: Record<string, JsonSchema> = {};
    const pending = [...refs];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (definitions[name]) continue;
      const component = spec.components.schemas[name];
      if (component === undefined) throw new Error(`${module} has no component ${name}`);
      const nested = new Set<string>();
      definitions[name] = strip(component, nested) as JsonSchema;
      pending.push(...[...nested].filter((n) => !definitions[n]));
    }
    set.definitions[module] = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
  }
  return set;
}
