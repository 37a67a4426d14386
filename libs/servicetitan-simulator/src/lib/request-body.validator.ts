import { REQUEST_SCHEMAS } from './generated/request-schemas';
import type { JsonSchema, RequestSchemaSet } from './openapi-request.schemas';

/** Field errors keyed by JSON path (`$.name`, `$[0].invoiceId`), as the API's 400 body carries them in `errors`. */
export type FieldErrors = Record<string, string[]>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32 = 2 ** 31;

/**
 * Validates a parsed JSON request body against the official request schema of an operation (the subset of
 * OpenAPI 3.0 those schemas use: type, format, nullable, enum, required, properties, additionalProperties, items,
 * oneOf, $ref). Unknown properties are rejected, as `additionalProperties: false` in the specs says: a misspelt
 * field the real API might silently drop must fail here, where the connector's tests see it.
 */
export function validateRequestBody(operationId: string, body: unknown, set: RequestSchemaSet = REQUEST_SCHEMAS) {
  const operation = set.operations[operationId];
  if (!operation) throw new Error(`no request schema for ${operationId}`);
  const errors: FieldErrors = {};
  new SchemaWalker(set.definitions[operation.module] ?? {}, errors).check(operation.schema, body, '$');
  return errors;
}

class SchemaWalker {
  constructor(
    private readonly definitions: Record<string, JsonSchema>,
    private readonly errors: FieldErrors,
  ) {}

  check(schema: JsonSchema, value: unknown, path: string): void {
    if (value === null) {
      if (schema['nullable'] === true) return;
      const target = this.resolve(schema);
      if (target['nullable'] === true) return;
      return this.add(path, `The ${fieldName(path)} field must not be null.`);
    }
    const ref = schema['$ref'];
    if (typeof ref === 'string') return this.check(this.definition(ref), value, path);
    const oneOf = schema['oneOf'];
    if (Array.isArray(oneOf)) return this.checkOneOf(oneOf as JsonSchema[], value, path);
    const allowed = schema['enum'];
    if (Array.isArray(allowed) && !allowed.includes(value)) {
      return this.add(path, `The value '${String(value)}' is not valid. Values: [${allowed.join(', ')}]`);
    }
    switch (schema['type']) {
      case 'object':
        return this.checkObject(schema, value, path);
      case 'array':
        if (!Array.isArray(value)) return this.add(path, `The JSON value at ${path} must be an array.`);
        value.forEach((item, i) => this.check((schema['items'] ?? {}) as JsonSchema, item, `${path}[${i}]`));
        return;
      case 'string':
        if (typeof value !== 'string') return this.add(path, `The JSON value at ${path} must be a string.`);
        if (schema['format'] === 'guid' && !GUID.test(value)) return this.add(path, `'${value}' is not a valid GUID.`);
        if (schema['format'] === 'date-time' && Number.isNaN(Date.parse(value)))
          return this.add(path, `'${value}' is not a valid date-time.`);
        return;
      case 'integer': {
        const int32 = schema['format'] === 'int32';
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || (int32 && Math.abs(value) >= INT32))
          return this.add(path, `The JSON value at ${path} must be an ${int32 ? 'int32' : 'int64'} integer.`);
        return;
      }
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value))
          return this.add(path, `The JSON value at ${path} must be a number.`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') return this.add(path, `The JSON value at ${path} must be true or false.`);
        return;
    }
  }

  private checkObject(schema: JsonSchema, value: unknown, path: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return this.add(path, `The JSON value at ${path} must be an object.`);
    const record = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema['required'] ?? []) as string[]) {
      if (record[name] === undefined) this.add(`${path}.${name}`, `The ${name} field is required.`);
    }
    for (const [name, inner] of Object.entries(record)) {
      const property = properties[name];
      if (property) this.check(property, inner, `${path}.${name}`);
      else if (schema['additionalProperties'] === false)
        this.add(`${path}.${name}`, `The property '${name}' is not part of the request model.`);
    }
  }

  private checkOneOf(options: JsonSchema[], value: unknown, path: string): void {
    // The specs wrap single references in oneOf (nullable enums/objects): report the inner errors then.
    if (options.length === 1) return this.check(options[0] as JsonSchema, value, path);
    const matching = options.filter((option) => {
      const scratch: FieldErrors = {};
      new SchemaWalker(this.definitions, scratch).check(option, value, path);
      return Object.keys(scratch).length === 0;
    });
    if (matching.length !== 1) this.add(path, `The JSON value at ${path} does not match exactly one allowed shape.`);
  }

  private resolve(schema: JsonSchema): JsonSchema {
    const ref = schema['$ref'];
    return typeof ref === 'string' ? this.definition(ref) : schema;
  }

  private definition(ref: string): JsonSchema {
    const name = ref.replace('#/components/schemas/', '');
    const found = this.definitions[name];
    if (!found) throw new Error(`request schema references unknown component ${name}`);
    return found;
  }

  private add(path: string, message: string): void {
    (this.errors[path] ??= []).push(message);
  }
}

function fieldName(path: string): string {
  const match = /\.([^.[\]]+)$/.exec(path);
  return match?.[1] ?? 'body';
}
