/**
 * Test helper (not exported from the library: it needs the dev dependencies ajv/ajv-formats): validates response
 * bodies against the 200/4xx response schemas of the official ServiceTitan OpenAPI 3.0 specs vendored in
 * libs/servicetitan/openapi. OpenAPI 3.0 `nullable: true` is converted to a JSON Schema union with null.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const OPENAPI_SPEC_DIR = join(__dirname, '..', '..', '..', 'servicetitan', 'openapi');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiSpec {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        requestBody?: { content?: Record<string, { schema?: Json }> };
        responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
      }
    >
  >;
  components: { schemas: Record<string, Json> };
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Converts an OpenAPI 3.0 schema to JSON Schema draft-07 as understood by ajv. */
export function convertOpenApiSchema(schema: Json, refPrefix: string): Json {
  if (Array.isArray(schema)) return schema.map((item) => convertOpenApiSchema(item, refPrefix));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'x-enumNames' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') {
      out[key] = value.replace('#/components/schemas/', `${refPrefix}#/definitions/`);
      continue;
    }
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, prop]) => [name, convertOpenApiSchema(prop, refPrefix)]),
      );
      continue;
    }
    out[key] = convertOpenApiSchema(value, refPrefix);
  }
  if (schema['nullable'] === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly specs = new Map<string, OpenApiSpec>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(modules: readonly string[], specDir = OPENAPI_SPEC_DIR) {
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: true,
    });
    addFormats(this.ajv);
    // Formats the ServiceTitan specs use that are annotations only (ajv-formats covers int32/int64/double/...).
    for (const format of ['decimal', 'html', 'multiline', 'phone']) this.ajv.addFormat(format, true);
    this.ajv.addFormat('guid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    for (const module of modules) {
      const spec = JSON.parse(readFileSync(join(specDir, `${module}-v2.json`), 'utf8')) as OpenApiSpec;
      this.specs.set(module, spec);
      const definitions = Object.fromEntries(
        Object.entries(spec.components.schemas).map(([name, schema]) => [
          name,
          convertOpenApiSchema(schema, `st-${module}`),
        ]),
      );
      this.ajv.addSchema({ $id: `st-${module}`, definitions });
    }
  }

  private operation(module: string, resource: string, method: string) {
    const spec = this.specs.get(module);
    if (!spec) throw new Error(`spec ${module} not loaded`);
    const operation = spec.paths[`/tenant/{tenant}/${resource}`]?.[method.toLowerCase()];
    if (!operation) throw new Error(`spec ${module} has no ${method.toUpperCase()} /tenant/{tenant}/${resource}`);
    return operation;
  }

  /** The response schema of `{method} /tenant/{tenant}/{resource}` (spec path, e.g. `vendors/{id}`) for a status. */
  responseSchema(module: string, resource: string, status: string, method = 'get'): Json {
    const content = this.operation(module, resource, method).responses?.[status]?.content;
    const schema = content?.['application/json']?.schema ?? Object.values(content ?? {})[0]?.schema;
    if (schema === undefined) throw new Error(`spec ${module} ${method} ${resource} has no ${status} response schema`);
    return convertOpenApiSchema(schema, `st-${module}`);
  }

  /** The JSON request-body schema of an operation, converted. */
  requestSchema(module: string, resource: string, method: string): Json {
    const schema = this.operation(module, resource, method).requestBody?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`spec ${module} ${method} ${resource} has no JSON request body`);
    return convertOpenApiSchema(schema, `st-${module}`);
  }

  /** The 2xx statuses the spec documents for an operation. */
  successStatuses(module: string, resource: string, method = 'get'): string[] {
    return Object.keys(this.operation(module, resource, method).responses ?? {}).filter((s) => s.startsWith('2'));
  }

  operationId(module: string, resource: string, method = 'get'): string | undefined {
    return this.specs.get(module)?.paths[`/tenant/{tenant}/${resource}`]?.[method.toLowerCase()]?.operationId;
  }

  /** Returns validation error messages of a response body (empty = valid). */
  validate(module: string, resource: string, status: string, body: unknown, method = 'get'): string[] {
    return this.run(
      `${module} ${method} ${resource} ${status}`,
      () => this.responseSchema(module, resource, status, method),
      body,
    );
  }

  /** Returns validation error messages of a request body (empty = valid). */
  validateRequest(module: string, resource: string, method: string, body: unknown): string[] {
    return this.run(
      `${module} ${method} ${resource} request`,
      () => this.requestSchema(module, resource, method),
      body,
    );
  }

  private run(key: string, schema: () => Json, body: unknown): string[] {
    let validator = this.cache.get(key);
    if (!validator) {
      validator = this.ajv.compile(schema() as object);
      this.cache.set(key, validator);
    }
    if (validator(body)) return [];
    return (validator.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}
