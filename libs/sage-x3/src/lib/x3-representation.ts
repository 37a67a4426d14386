import { X3EntityConfig } from './sage-x3.config';
import { X3ProtocolError } from './sage-x3.errors';

/**
 * A representation's fields as X3 publishes them. SData 2.0 prototypes (`$prototypes('REPR.$facet')`) carry
 * `$properties: { FIELD: { $type, $title, $maxLength, $isMandatory } }`, a collection being
 * `{ $type: 'application/x-array', $item: { $properties: {…} } }`. Inference where Sage publishes no sample:
 * `$length` is read when `$maxLength` is absent, and a body wrapped in `$prototype` is unwrapped.
 */
export type X3Facet = '$query' | '$details' | '$create';

export interface X3FieldDescription {
  name: string;
  /** SData type, e.g. `application/x-string`, `application/x-decimal`, `application/x-array`. */
  type?: string;
  maxLength?: number;
  mandatory?: boolean;
  title?: string;
  /** For a collection: its item fields. */
  item?: Record<string, X3FieldDescription>;
}

export interface X3FacetDescription {
  /** `prototype` (types and lengths) or `template` (`$template` of `$create`: names only). */
  source: 'prototype' | 'template';
  fields: Record<string, X3FieldDescription>;
}

export interface X3RepresentationDescription {
  className: string;
  representation: string;
  facets: Partial<Record<X3Facet, X3FacetDescription>>;
}

export interface X3FieldProblem {
  facet: X3Facet;
  /** The X3 field code (`GACCENTRYD.DES` for a line field), or the representation name. */
  field: string;
  /** The configuration path that names it, e.g. `fields.reference`, `lookupFields[1]`. */
  configPath?: string;
  problem: 'missing' | 'too-long' | 'not-a-collection' | 'representation-missing';
  maxLength?: number;
  length?: number;
  message: string;
}

export interface X3FieldVerification {
  className: string;
  representation: string;
  ok: boolean;
  problems: X3FieldProblem[];
  /** What could not be checked (e.g. lengths when only a `$template` was available). */
  notes: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function parseProperties(props: Json): Record<string, X3FieldDescription> {
  const out: Record<string, X3FieldDescription> = {};
  for (const [name, raw] of Object.entries(props)) {
    if (name.startsWith('$') || !isObject(raw)) continue;
    const field: X3FieldDescription = { name };
    if (typeof raw['$type'] === 'string') field.type = raw['$type'];
    const max = positiveInt(raw['$maxLength']) ?? positiveInt(raw['$length']);
    if (max !== undefined) field.maxLength = max;
    if (raw['$isMandatory'] === true) field.mandatory = true;
    if (typeof raw['$title'] === 'string') field.title = raw['$title'];
    const item = isObject(raw['$item']) ? raw['$item'] : undefined;
    if (item && isObject(item['$properties'])) field.item = parseProperties(item['$properties']);
    out[name] = field;
  }
  return out;
}

/** The fields of a prototype body. */
export function parseX3Prototype(body: Json, what: string): Record<string, X3FieldDescription> {
  const root = isObject(body['$prototype']) ? body['$prototype'] : body;
  const props = root['$properties'];
  if (!isObject(props)) throw new X3ProtocolError(`Sage X3 prototype ${what} has no $properties`);
  return parseProperties(props);
}

/** Field names of a `$template` body (no types or lengths); collections from their first line when present. */
export function templateFields(body: Json): Record<string, X3FieldDescription> {
  const out: Record<string, X3FieldDescription> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('$')) continue;
    const field: X3FieldDescription = { name };
    if (Array.isArray(value)) {
      field.type = 'application/x-array';
      const first = value.find(isObject);
      if (first) field.item = templateFields(first);
    }
    out[name] = field;
  }
  return out;
}

interface Wanted {
  facet: X3Facet;
  field: string;
  configPath: string;
  line?: boolean;
}

/** The checks of verifyFields, on a description already read. */
export function verifyRepresentation(
  cfg: X3EntityConfig,
  description: X3RepresentationDescription,
  values: Record<string, string | number>,
): X3FieldVerification {
  const problems: X3FieldProblem[] = [];
  const notes: string[] = [];
  const where = `Sage X3 ${cfg.className} representation ${cfg.representation}`;
  const header = Object.entries(cfg.fields);
  const lineFields = Object.entries(cfg.lines?.fields ?? {});
  const wanted: Wanted[] = [];
  const add = (facet: X3Facet, field: string | undefined, configPath: string, line = false): void => {
    if (field && !wanted.some((w) => w.facet === facet && w.field === field && !!w.line === line))
      wanted.push({ facet, field, configPath, line });
  };
  // Filters and ordering run on the query facet.
  cfg.keyFields.forEach((f, i) => add('$query', f, `keyFields[${i}]`));
  cfg.lookupFields.forEach((f, i) => add('$query', f, `lookupFields[${i}]`));
  add('$query', cfg.updateStampField, 'updateStampField');
  add('$query', cfg.statusField, 'statusField');
  if (cfg.creates) {
    for (const [logical, f] of header) add('$create', f, `fields.${logical}`);
    add('$create', cfg.referenceField, 'referenceField');
    if (cfg.lines) {
      add('$create', cfg.lines.field, 'lines.field');
      for (const [logical, f] of lineFields) add('$create', f, `lines.fields.${logical}`, true);
    }
  } else {
    // Master data is read from the query feed; lines (purchase orders) from details.
    for (const [logical, f] of header) add('$query', f, `fields.${logical}`);
    if (cfg.lines) {
      add('$details', cfg.lines.field, 'lines.field');
      for (const [logical, f] of lineFields) add('$details', f, `lines.fields.${logical}`, true);
    }
  }

  for (const w of wanted) {
    const facet = description.facets[w.facet];
    if (!facet) {
      notes.push(`${w.facet} was not read: ${w.configPath} (${w.field}) not checked`);
      continue;
    }
    if (!w.line) {
      if (!facet.fields[w.field]) {
        problems.push({
          facet: w.facet,
          field: w.field,
          configPath: w.configPath,
          problem: 'missing',
          message: `${where} (${w.facet}) has no field ${w.field} (configured as ${w.configPath})`,
        });
      }
      continue;
    }
    const collection = cfg.lines ? facet.fields[cfg.lines.field] : undefined;
    if (!collection) continue; // reported once as the missing lines.field
    if (!collection.item) {
      if (facet.source === 'template')
        notes.push(`${w.facet}: ${cfg.lines?.field} line fields not checked (template without lines)`);
      else
        problems.push({
          facet: w.facet,
          field: `${cfg.lines?.field}`,
          configPath: 'lines.field',
          problem: 'not-a-collection',
          message: `${where} (${w.facet}): ${cfg.lines?.field} is not a collection of lines`,
        });
      continue;
    }
    if (!collection.item[w.field]) {
      problems.push({
        facet: w.facet,
        field: `${cfg.lines?.field}.${w.field}`,
        configPath: w.configPath,
        problem: 'missing',
        message: `${where} (${w.facet}) has no line field ${cfg.lines?.field}.${w.field} (configured as ${w.configPath})`,
      });
    }
  }
  problems.splice(0, problems.length, ...dedupeNotACollection(problems));

  // Lengths: on the facet the value is written through ($create), else where it is read.
  const lengthFacet: X3Facet = cfg.creates ? '$create' : '$query';
  const facet = description.facets[lengthFacet];
  for (const [key, value] of Object.entries(values)) {
    const target = resolveValueField(cfg, key);
    if (!target) {
      problems.push({
        facet: lengthFacet,
        field: key,
        problem: 'missing',
        message: `${where}: '${key}' is neither a configured field nor an X3 field of it`,
      });
      continue;
    }
    if (!facet) {
      notes.push(`${lengthFacet} was not read: length of ${key} not checked`);
      continue;
    }
    const described = target.line ? facet.fields[target.line]?.item?.[target.field] : facet.fields[target.field];
    const label = target.line ? `${target.line}.${target.field}` : target.field;
    if (!described) continue; // already reported as missing
    if (described.maxLength === undefined) {
      if (facet.source === 'template') notes.push(`${label}: no length published ($template only)`);
      continue;
    }
    const length = String(value).length;
    if (length > described.maxLength) {
      problems.push({
        facet: lengthFacet,
        field: label,
        configPath: target.configPath,
        problem: 'too-long',
        maxLength: described.maxLength,
        length,
        message: `${where}: ${label} holds at most ${described.maxLength} characters, the connector writes up to ${length} (${key})`,
      });
    }
  }
  return { className: cfg.className, representation: cfg.representation, ok: problems.length === 0, problems, notes };
}

function dedupeNotACollection(problems: X3FieldProblem[]): X3FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (p.problem !== 'not-a-collection') return true;
    const key = `${p.facet}|${p.field}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `reference`, `REF`, `lines.description`, `GACCENTRYD.DES` → the field it names. */
function resolveValueField(
  cfg: X3EntityConfig,
  key: string,
): { field: string; line?: string; configPath?: string } | undefined {
  const lines = cfg.lines;
  if (key.startsWith('lines.') && lines) {
    const logical = key.slice('lines.'.length);
    const code = lines.fields[logical];
    return code ? { field: code, line: lines.field, configPath: `lines.fields.${logical}` } : undefined;
  }
  if (lines && key.startsWith(`${lines.field}.`)) {
    const code = key.slice(lines.field.length + 1);
    const logical = Object.entries(lines.fields).find(([, c]) => c === code)?.[0];
    return { field: code, line: lines.field, configPath: logical ? `lines.fields.${logical}` : undefined };
  }
  if (cfg.fields[key]) return { field: cfg.fields[key], configPath: `fields.${key}` };
  const logical = Object.entries(cfg.fields).find(([, c]) => c === key)?.[0];
  if (logical) return { field: key, configPath: `fields.${logical}` };
  if (key === cfg.referenceField || cfg.lookupFields.includes(key) || cfg.keyFields.includes(key))
    return { field: key };
  return undefined;
}
