import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { absentSections, DtoClass, isInline, isPlainObject, NESTED_OBJECT, nestedFields } from './dto-fields';

export interface ValidateDtoOptions {
  /** Path of the document inside a larger one (e.g. `tenants[2]`), put in front of every problem's path. */
  root?: string;
  /** What the document is called when it is not an object at all (default: the root, else "document"). */
  name?: string;
}

export interface DtoValidationResult<T> {
  /** The converted, defaulted instance; only trustworthy when `problems` is empty. */
  value: T;
  /** Every problem, each naming its field by path; empty = valid. */
  problems: string[];
}

/**
 * Validates a parsed JSON document against its DTO class (class-transformer + class-validator) and lists every
 * problem at once, each with its path, so that an author fixes a file in one go. `null` counts as absent (the
 * field's default applies); unknown fields are problems (`unknown field "colour" (typo?)`); no type coercion.
 */
export function validateDto<T extends object>(
  cls: DtoClass<T>,
  plain: unknown,
  options: ValidateDtoOptions = {},
): DtoValidationResult<T> {
  const name = options.name ?? options.root ?? 'document';
  if (plain === undefined || plain === null) return { value: new cls(), problems: [`${name} is required (object)`] };
  if (!isPlainObject(plain)) return { value: new cls(), problems: [`${name} must be an object`] };
  const value = plainToInstance(cls, plain, { exposeDefaultValues: true });
  prepare(value);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const problems: string[] = [];
  collect(errors, options.root ? [options.root] : [], false, problems);
  return { value, problems: [...new Set(problems)] };
}

/**
 * Before validation: an explicit null counts as "not given" (class-transformer would keep it over the default), and
 * an absent required section gets an empty stand-in so that its required fields are reported as well.
 */
function prepare(v: unknown): void {
  if (v instanceof Map || Array.isArray(v)) return v.forEach(prepare);
  if (typeof v !== 'object' || v === null || isPlainObject(v)) return;
  const obj = v as Record<string, unknown>;
  const fresh = new (v.constructor as DtoClass<Record<string, unknown>>)();
  for (const k of Object.keys(obj)) if (obj[k] === null) obj[k] = fresh[k];
  for (const f of nestedFields(v.constructor as DtoClass)) {
    if (!f.required || obj[f.property] !== undefined) continue;
    const standIn = f.kind === 'record' ? new Map() : new (f.types()[0])();
    absentSections.add(standIn);
    obj[f.property] = standIn;
  }
  for (const k of Object.keys(obj)) prepare(obj[k]);
}

function joinPath(segments: string[]): string {
  return segments.reduce((acc, s) => (s.startsWith('[') || !acc ? acc + s : `${acc}.${s}`), '');
}

function collect(errors: ValidationError[], owner: string[], ownerIsArray: boolean, out: string[]): void {
  for (const e of errors) {
    const segment = ownerIsArray ? `[${e.property}]` : e.property;
    const path = isInline(e.target?.constructor, e.property) ? owner : [...owner, segment];
    const constraints = e.constraints ?? {};
    if (constraints['whitelistValidation']) {
      const where = joinPath(owner);
      out.push(`${where ? `${where}: ` : ''}unknown field ${JSON.stringify(e.property)} (typo?)`);
      continue;
    }
    out.push(...messages(e, constraints, path));
    // A non-object where an object belongs: its "nested" problems would only repeat that.
    if (!constraints[NESTED_OBJECT] || absentSections.has(e.value as object))
      collect(e.children ?? [], path, Array.isArray(e.value), out);
  }
}

function messages(e: ValidationError, constraints: Record<string, string>, path: string[]): string[] {
  const names = Object.keys(constraints);
  if (names.length === 0) return [];
  let raw: string[];
  if (constraints['isDefined']) raw = [constraints['isDefined']];
  else if (e.value === undefined) raw = ['$path is required'];
  else if (names.length === 1 && names[0] === 'nestedValidation') raw = ['$path must be an object'];
  else raw = names.filter((n) => n !== 'nestedValidation').map((n) => constraints[n]);
  const p = joinPath(path);
  const parent = joinPath(path.slice(0, -1));
  // Our messages carry $path/$parent; stock class-validator messages start with the property name (or "each value
  // in <property>"), which becomes the path; anything else (a cross-field rule naming its fields) stays as written.
  return raw.map((m) => {
    if (m.includes('$path') || m.includes('$parent')) return m.replace(/\$path/g, p).replace(/\$parent/g, parent);
    if (m.startsWith(`${e.property} `)) return `${p} ${m.slice(e.property.length + 1)}`;
    if (m.startsWith(`each value in ${e.property} `)) return `each value in ${p} ${m.slice(15 + e.property.length)}`;
    return m;
  });
}
