import { X3ClassDef, X3FieldDef, X3FieldType } from './x3-classes';

export type Facet = '$query' | '$details' | '$create';

export interface RepresentationField {
  /** Name published by the representation. */
  name: string;
  /** Table field it shows. */
  source: string;
  type: X3FieldType;
  maxLength?: number;
  /** X3 fills it on create: absent from `$create`. */
  assigned: boolean;
  /** In the `$query` feed. */
  query: boolean;
}

export interface RepresentationLines {
  name: string;
  source: string;
  fields: Map<string, RepresentationField>;
}

export interface RepresentationProblem {
  message: string;
  path: string[];
}

/** How a representation customisation is written in a seed file or sent to the admin endpoint. */
export interface RepresentationCustomisation {
  /** Fields (or `LINES.FIELD`, or a whole `LINES` collection) the site's representation does not publish. */
  remove?: string[];
  /** Published name → new published name (the table field stays the same). */
  rename?: Record<string, string>;
  /** Published name → maximum length (a site's shorter/longer field). */
  maxLength?: Record<string, number>;
  /** Extra published fields showing table fields (e.g. an internal one a custom representation exposes). */
  add?: Record<string, { source?: string; maxLength?: number }>;
}

const SDATA_TYPES: Record<X3FieldType, string> = {
  string: 'application/x-string',
  decimal: 'application/x-decimal',
  integer: 'application/x-integer',
  date: 'application/x-date',
  datetime: 'application/x-datetime',
  menu: 'application/x-choice',
  list: 'application/x-array',
};

type Rec = Record<string, unknown>;

function field(name: string, source: string, d: X3FieldDef): RepresentationField {
  return {
    name,
    source,
    type: d.type,
    maxLength: d.maxLength,
    assigned: !!d.assigned,
    query: d.query ?? true,
  };
}

/**
 * A representation of a class as one folder publishes it: which table fields it shows under which names, with
 * which lengths, in which facet. Tests customise it (remove/rename a field, change a length) to reproduce a site;
 * api1 then filters, sorts, serves prototypes and accepts `$create` bodies strictly through it.
 */
export class Representation {
  private readonly header = new Map<string, RepresentationField>();
  private linesDef?: RepresentationLines;

  constructor(
    readonly name: string,
    readonly classDef: X3ClassDef,
  ) {
    for (const [f, d] of Object.entries(classDef.fields)) if (!d.internal) this.header.set(f, field(f, f, d));
    if (classDef.lines) {
      const fields = new Map<string, RepresentationField>();
      for (const [f, d] of Object.entries(classDef.lines.fields)) if (!d.internal) fields.set(f, field(f, f, d));
      this.linesDef = { name: classDef.lines.field, source: classDef.lines.field, fields };
    }
  }

  get className(): string {
    return this.classDef.className;
  }

  get lines(): RepresentationLines | undefined {
    return this.linesDef;
  }

  customise(c: RepresentationCustomisation): this {
    for (const path of c.remove ?? []) this.removeField(path);
    for (const [from, to] of Object.entries(c.rename ?? {})) this.renameField(from, to);
    for (const [path, length] of Object.entries(c.maxLength ?? {})) this.setMaxLength(path, length);
    for (const [path, a] of Object.entries(c.add ?? {})) this.addField(path, a);
    return this;
  }

  /** `BPRVCR`, `PINVOICED.ITMREF`, or `PINVOICED` (the whole collection). */
  removeField(path: string): this {
    const { map, name, isLines } = this.locate(path);
    if (isLines) this.linesDef = undefined;
    else if (!map.delete(name)) throw new RangeError(`representation ${this.name} has no field ${path}`);
    return this;
  }

  renameField(path: string, newName: string): this {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(newName)) throw new RangeError(`'${newName}' is not a field name`);
    const { map, name, isLines } = this.locate(path);
    if (isLines && this.linesDef) {
      this.linesDef = { ...this.linesDef, name: newName };
      return this;
    }
    const f = map.get(name);
    if (!f) throw new RangeError(`representation ${this.name} has no field ${path}`);
    map.delete(name);
    map.set(newName, { ...f, name: newName });
    return this;
  }

  setMaxLength(path: string, maxLength: number | undefined): this {
    const { map, name } = this.locate(path);
    const f = map.get(name);
    if (!f) throw new RangeError(`representation ${this.name} has no field ${path}`);
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0))
      throw new RangeError('maxLength must be a positive integer');
    f.maxLength = maxLength;
    return this;
  }

  /** Publishes a table field (by default the one of the same name) under `path`. */
  addField(path: string, options: { source?: string; maxLength?: number } = {}): this {
    const { map, name, line } = this.locate(path);
    const table = line ? this.classDef.lines?.fields : this.classDef.fields;
    const source = options.source ?? name;
    const d = table?.[source];
    if (!d) throw new RangeError(`class ${this.className} has no table field ${source}`);
    map.set(name, { ...field(name, source, d), ...(options.maxLength ? { maxLength: options.maxLength } : {}) });
    return this;
  }

  /** Published header field names of a facet. */
  fieldNames(facet: Facet): string[] {
    return [...this.header.values()].filter((f) => this.inFacet(f, facet)).map((f) => f.name);
  }

  /** The published field of the `$query` facet with this name (where/orderBy), if any. */
  queryField(name: string): RepresentationField | undefined {
    const f = this.header.get(name);
    return f && this.inFacet(f, '$query') ? f : undefined;
  }

  /** A stored record as this representation shows it in a facet (table names → published names). */
  publish(record: Rec, facet: Facet): Rec {
    const out: Rec = {};
    for (const f of this.header.values()) {
      if (!this.inFacet(f, facet)) continue;
      if (f.source in record) out[f.name] = structuredClone(record[f.source]);
    }
    const lines = this.linesDef;
    if (lines && facet !== '$query' && Array.isArray(record[lines.source])) {
      out[lines.name] = (record[lines.source] as Rec[]).map((line) => {
        const l: Rec = {};
        for (const f of lines.fields.values()) if (f.source in line) l[f.name] = structuredClone(line[f.source]);
        return l;
      });
    }
    return out;
  }

  /**
   * A `$create` body in published names → the table body, refusing what X3 would: a property the representation
   * does not publish for creation, a text longer than its field.
   */
  accept(body: Rec): { table: Rec; problems: RepresentationProblem[] } {
    const problems: RepresentationProblem[] = [];
    const table: Rec = {};
    const lines = this.linesDef;
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('$')) continue;
      if (lines && key === lines.name) {
        if (!Array.isArray(value)) {
          problems.push({ message: `${key} must be an array of lines`, path: [key] });
          continue;
        }
        table[lines.source] = value.map((raw: unknown, index: number) => {
          if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
          const out: Rec = {};
          for (const [lk, lv] of Object.entries(raw as Rec)) {
            if (lk.startsWith('$')) continue;
            const path = [key, String(index), lk];
            const f = lines.fields.get(lk);
            if (!f || f.assigned) problems.push({ message: `Unknown property ${key}.${index}.${lk}`, path });
            else if (this.tooLong(f, lv)) problems.push(tooLongProblem(f, lv, `Line ${index + 1}: `, path));
            else out[f.source] = lv;
          }
          return out;
        });
        continue;
      }
      const f = this.header.get(key);
      if (!f || !this.inFacet(f, '$create')) problems.push({ message: `Unknown property ${key}`, path: [key] });
      else if (this.tooLong(f, value)) problems.push(tooLongProblem(f, value, '', [key]));
      else table[f.source] = value;
    }
    return { table, problems };
  }

  /** The SData prototype of a facet: `$properties` with types and lengths, lines as an `$item`. */
  prototype(facet: Facet, url: string): Rec {
    const props: Rec = {};
    for (const f of this.header.values()) if (this.inFacet(f, facet)) props[f.name] = describe(f);
    const lines = this.linesDef;
    if (lines && facet !== '$query') {
      const item: Rec = {};
      for (const f of lines.fields.values()) if (facet !== '$create' || !f.assigned) item[f.name] = describe(f);
      props[lines.name] = { $type: 'application/x-array', $title: lines.name, $item: { $properties: item } };
    }
    return {
      $url: url,
      $type: 'application/json;vnd.sage=syracuse',
      $representation: this.name,
      $facet: facet,
      $properties: props,
    };
  }

  /** `$template` of `$create`: the writable fields with X3's defaults. */
  template(defaults: Rec): Rec {
    const out: Rec = {};
    for (const f of this.header.values()) {
      if (!this.inFacet(f, '$create')) continue;
      out[f.name] = f.source in defaults ? defaults[f.source] : f.type === 'decimal' ? '0' : f.type === 'menu' ? 1 : '';
    }
    if (this.linesDef) out[this.linesDef.name] = [];
    return out;
  }

  private inFacet(f: RepresentationField, facet: Facet): boolean {
    if (facet === '$query') return f.query;
    if (facet === '$create') return !f.assigned;
    return true;
  }

  private tooLong(f: RepresentationField, value: unknown): boolean {
    return f.maxLength !== undefined && typeof value === 'string' && value.length > f.maxLength;
  }

  private locate(path: string): {
    map: Map<string, RepresentationField>;
    name: string;
    isLines: boolean;
    line: boolean;
  } {
    const lines = this.linesDef;
    const dot = path.indexOf('.');
    if (dot > 0) {
      const head = path.slice(0, dot);
      if (!lines || head !== lines.name) throw new RangeError(`representation ${this.name} has no lines ${head}`);
      return { map: lines.fields, name: path.slice(dot + 1), isLines: false, line: true };
    }
    if (lines && path === lines.name) return { map: this.header, name: path, isLines: true, line: false };
    return { map: this.header, name: path, isLines: false, line: false };
  }
}

function describe(f: RepresentationField): Rec {
  const out: Rec = { $type: SDATA_TYPES[f.type], $title: f.name };
  if (f.maxLength !== undefined) out['$maxLength'] = f.maxLength;
  return out;
}

function tooLongProblem(f: RepresentationField, value: unknown, prefix: string, path: string[]): RepresentationProblem {
  return {
    message: `${prefix}${f.name}: ${String(value).length} characters, the field holds at most ${f.maxLength}`,
    path,
  };
}
