import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsIn, IsOptional, ValidateBy, ValidateNested, ValidationArguments } from 'class-validator';
import { isIanaTimeZone } from '../time/local-date';

/**
 * Field decorators shared by every validated document (tenants file, mapping rules, checkpoint state). They are
 * plain class-validator/class-transformer decorators with the project's messages. A message may use the tokens
 * `$path` (the field's full path, e.g. `sageX3.auth.tokenUrl`) and `$parent` (the path of its owner); a message
 * without tokens is prefixed with the path (stock class-validator decorators work unchanged).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DtoClass<T = object> = new (...args: any[]) => T;

/** A nested DTO property, recorded so that tools can walk the schema (e.g. list every secret field's path). */
export interface NestedField {
  property: string;
  kind: 'object' | 'record' | 'list';
  required: boolean;
  /** The class and, for a discriminated union, every subclass. */
  types: () => DtoClass[];
}

const nestedFieldsOf = new WeakMap<object, NestedField[]>();
const inlineFieldsOf = new WeakMap<object, Set<string>>();

/** A class and its base classes, the base first (decorator metadata is kept per class). */
export function classChain(cls: object): object[] {
  const chain: object[] = [];
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  return chain;
}

/** Nested DTO properties of a class (base classes first, declaration order). */
export function nestedFields(cls: DtoClass): NestedField[] {
  return classChain(cls).flatMap((c) => nestedFieldsOf.get(c) ?? []);
}

/**
 * The property does not add a segment to problem paths: a record entry's `key`, or a value given in shorthand
 * (`"1": "CC-HVAC"` reports as `costCenters.businessUnits.1`, not `….1.value`).
 */
export function Inline(): PropertyDecorator {
  return (target, key) => {
    const set = inlineFieldsOf.get(target.constructor) ?? new Set<string>();
    set.add(String(key));
    inlineFieldsOf.set(target.constructor, set);
  };
}

export function isInline(cls: object | undefined, property: string): boolean {
  return !!cls && classChain(cls).some((c) => inlineFieldsOf.get(c)?.has(property));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function register(target: object, field: NestedField): void {
  const list = nestedFieldsOf.get(target.constructor) ?? [];
  list.push(field);
  nestedFieldsOf.set(target.constructor, list);
}

/**
 * Empty stand-ins for absent required sections (put in by validateDto), so that the section's own required fields
 * are listed too: `accounts is required (object)` along with `accounts.labor.debit is required (X3 code)`.
 */
export const absentSections = new WeakSet<object>();

/** The value is an object (a converted DTO or a record's Map); arrays and scalars are not. */
function IsNestedObject(required: boolean): PropertyDecorator {
  return (target, key) => {
    if (!required) IsOptional()(target, key);
    ValidateBy({
      name: NESTED_OBJECT,
      validator: {
        validate: (v: unknown) =>
          v instanceof Map
            ? !absentSections.has(v)
            : typeof v === 'object' && v !== null && !Array.isArray(v) && !absentSections.has(v),
        defaultMessage: (a?: ValidationArguments) =>
          a?.value === undefined || absentSections.has(a.value)
            ? '$path is required (object)'
            : '$path must be an object',
      },
    })(target, key);
  };
}
/** Constraint name of the object check; its failure hides the (meaningless) nested problems of a non-object. */
export const NESTED_OBJECT = 'isNestedObject';

export interface NestedObjectOptions {
  required?: boolean;
  /** A discriminated union: the subclass is chosen by this property's value; an unknown value keeps the base class. */
  discriminator?: { property: string; subTypes: Record<string, DtoClass> };
  /** Accepts a scalar shorthand and turns it into the object form, e.g. `v => ({ value: v })` with an @Inline value. */
  fromScalar?: (value: unknown) => Record<string, unknown>;
}

/** A nested section validated by its own DTO class (one class per section). */
export function NestedObject(type: () => DtoClass, options: NestedObjectOptions = {}): PropertyDecorator {
  return (target, key) => {
    const d = options.discriminator;
    register(target, {
      property: String(key),
      kind: 'object',
      required: !!options.required,
      types: () => [type(), ...Object.values(d?.subTypes ?? {})],
    });
    Type(type, {
      keepDiscriminatorProperty: true,
      ...(d && {
        discriminator: {
          property: d.property,
          subTypes: Object.entries(d.subTypes).map(([name, value]) => ({ name, value })),
        },
      }),
    })(target, key);
    Transform(({ value, obj }) => {
      const raw = (obj as Record<string, unknown>)[String(key)];
      if (options.fromScalar && raw !== undefined && raw !== null && typeof raw !== 'object')
        return plainToInstance(type(), options.fromScalar(raw), { exposeDefaultValues: true });
      // Unknown discriminator value: keep only the discriminator, so the one problem reported is "mode must be …"
      // and not every field of the unknown variant as an unknown field.
      if (d && isPlainObject(raw) && value?.constructor === type())
        return Object.assign(new (type())(), { [d.property]: raw[d.property] });
      return value;
    })(target, key);
    ValidateNested()(target, key);
    IsNestedObject(!!options.required)(target, key);
  };
}

export interface NestedRecordOptions {
  required?: boolean;
  /** The entry's object form from the file's value, e.g. `v => ({ value: v })` for a map of codes. */
  entry?: (value: unknown) => unknown;
}

/**
 * A JSON object used as a map (`{ "<key>": <entry> }`), converted to a Map of entry DTOs. Each entry receives its key
 * as the property `key`, which the entry class declares with `@Inline()` (and validates: the key's format).
 */
export function NestedRecord(type: () => DtoClass, options: NestedRecordOptions = {}): PropertyDecorator {
  return (target, key) => {
    register(target, { property: String(key), kind: 'record', required: !!options.required, types: () => [type()] });
    Transform(({ obj }) => {
      const raw = (obj as Record<string, unknown>)[String(key)];
      if (!isPlainObject(raw)) return raw;
      return new Map(
        Object.entries(raw).map(([k, v]) => {
          const e = options.entry ? options.entry(v) : v;
          return [k, isPlainObject(e) ? plainToInstance(type(), { ...e, key: k }, { exposeDefaultValues: true }) : e];
        }),
      );
    })(target, key);
    ValidateNested({ each: true })(target, key);
    IsNestedObject(!!options.required)(target, key);
  };
}

/**
 * A JSON array of sections, each validated by its own DTO class; problems name the element by index
 * (`accounts.rules[2].accounts.labor.debit`). Optional (absent = the initializer's value, usually `[]`).
 */
export function NestedList(type: () => DtoClass): PropertyDecorator {
  return (target, key) => {
    register(target, { property: String(key), kind: 'list', required: false, types: () => [type()] });
    Transform(({ obj }) => {
      const raw = (obj as Record<string, unknown>)[String(key)];
      if (!Array.isArray(raw)) return raw;
      return raw.map((e) => (isPlainObject(e) ? plainToInstance(type(), e, { exposeDefaultValues: true }) : e));
    })(target, key);
    IsOptional()(target, key);
    ValidateBy({
      // The container check: when it fails, the nested problems of a non-array are not listed (see collect).
      name: NESTED_OBJECT,
      validator: {
        validate: (v: unknown) => Array.isArray(v),
        defaultMessage: () => '$path must be an array',
      },
    })(target, key);
    ValidateNested({ each: true })(target, key);
  };
}

export function IntBetween(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'intBetween',
    constraints: [min, max],
    validator: {
      validate: (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
      defaultMessage: () => `$path must be an integer between ${min} and ${max}`,
    },
  });
}

export function OneOf(values: readonly (string | number)[], message?: string): PropertyDecorator {
  return IsIn([...values], { message: message ?? `$path must be one of ${values.join(', ')}` });
}

export function NonEmptyString(): PropertyDecorator {
  return ValidateBy({
    name: 'nonEmptyString',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && v.length > 0,
      defaultMessage: () => '$path must be a non-empty string',
    },
  });
}

export function TrueOrFalse(): PropertyDecorator {
  return ValidateBy({
    name: 'trueOrFalse',
    validator: {
      validate: (v: unknown) => typeof v === 'boolean',
      defaultMessage: () => '$path must be true or false',
    },
  });
}

/** An array of non-empty strings; duplicates are dropped. */
export function StringList(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }) =>
      Array.isArray(value) && value.every((s) => typeof s === 'string') ? [...new Set(value)] : value,
    )(target, key);
    ValidateBy({
      name: 'stringList',
      validator: {
        validate: (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0),
        defaultMessage: () => '$path must be an array of non-empty strings',
      },
    })(target, key);
  };
}

const HTTP_URL = /^https?:\/\/[^\s]+$/;

/** An http(s) URL; trailing slashes are dropped so that paths can be appended. */
export function HttpUrl(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }) => (typeof value === 'string' ? value.replace(/\/+$/, '') : value))(target, key);
    ValidateBy({
      name: 'httpUrl',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && HTTP_URL.test(v),
        defaultMessage: () => '$path must be an http(s) URL',
      },
    })(target, key);
  };
}

/** A `{placeholder}` template using only the given placeholders. */
export function TemplatePlaceholders(allowed: readonly string[]): PropertyDecorator {
  const unknown = (v: unknown) =>
    typeof v === 'string' ? [...v.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((p) => !allowed.includes(p)) : [];
  const list = allowed.map((p) => `{${p}}`);
  const use = list.length === 2 ? list.join(' or ') : list.join(', ');
  return ValidateBy({
    name: 'templatePlaceholders',
    validator: {
      validate: (v: unknown) => unknown(v).length === 0,
      defaultMessage: (args?: ValidationArguments) =>
        `$path: unknown placeholder(s) ${unknown(args?.value)
          .map((p) => `{${p}}`)
          .join(', ')} (use ${use})`,
    },
  });
}

/** An IANA time zone name this runtime knows (`America/Chicago`, `Europe/Paris`, `UTC`). */
export function IanaTimeZone(): PropertyDecorator {
  return ValidateBy({
    name: 'ianaTimeZone',
    validator: {
      validate: (v: unknown) => isIanaTimeZone(v),
      defaultMessage: (a?: ValidationArguments) =>
        `$path must be an IANA time zone such as America/Chicago or UTC, got ${JSON.stringify(a?.value)}`,
    },
  });
}
