import { readFileSync } from 'node:fs';

/** Where labor costs of a job come from. */
export type LaborSource = 'gross-pay-items' | 'invoice-items' | 'none';

export interface CostCenterRef {
  costCenter: string;
  dimensionType: string;
}

export interface AccountPair {
  debit: string;
  credit: string;
}

/** Validated, defaulted per-tenant mapping rules (see docs/mapping-rules.md for the file format). */
export interface MappingRules {
  version: 1;
  /** Business unit id (as a string) → X3 cost center. */
  businessUnits: Record<string, CostCenterRef>;
  /** Used when a business unit is not listed; null = reject with BUSINESS_UNIT_UNMAPPED. */
  defaultCostCenter: CostCenterRef | null;
  accounts: {
    labor: AccountPair;
    material: AccountPair;
    /** ServiceTitan GL account number → X3 account, used for the debit (cost) side of invoice items. */
    glAccounts: Record<string, string>;
    /** true: an invoice item whose ServiceTitan account is not in glAccounts is rejected (GL_ACCOUNT_UNMAPPED). */
    requireGlAccountMapping: boolean;
  };
  materialItemTypes: string[];
  labor: {
    source: LaborSource;
    /** Invoice item types counted as labor when source is invoice-items. */
    invoiceItemTypes: string[];
    /** Gross pay items dated within [completedOn - before, completedOn + after] days are searched for the job. */
    grossPayWindowDaysBefore: number;
    grossPayWindowDaysAfter: number;
  };
  suppliers: {
    /** ServiceTitan vendor id → X3 supplier code. */
    byVendorId: Record<string, string>;
    /** Fall back to an exact (trimmed) name match against X3 suppliers. */
    matchByName: boolean;
  };
  /** ServiceTitan SKU code → X3 product code; unlisted codes map to themselves. */
  products: Record<string, string>;
  purchaseOrders: {
    /** ServiceTitan purchase order id → X3 purchase order number (wins over the template). */
    byServiceTitanId: Record<string, string>;
    /** X3 PO number from the ServiceTitan PO: placeholders {id} and {number}. */
    numberTemplate: string;
  };
  journal: {
    entryType: string | null;
    journal: string | null;
    descriptionTemplate: string;
    lineDescriptionTemplate: string;
  };
  bills: {
    /** Which ServiceTitan field becomes the supplier's invoice number (X3 BPRVCR); the other is the fallback. */
    supplierInvoiceNumberField: 'vendorNumber' | 'referenceNumber';
  };
  /** Decimals of posted amounts (the tenant currency's). */
  amountScale: number;
}

export class MappingRulesError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid mapping rules ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'MappingRulesError';
  }
}

type Json = Record<string, unknown>;
const KNOWN_TOP = new Set([
  '$schema',
  'version',
  'description',
  'costCenters',
  'accounts',
  'materialItemTypes',
  'labor',
  'suppliers',
  'products',
  'purchaseOrders',
  'journal',
  'bills',
  'amountScale',
]);
const X3_CODE = /^[A-Za-z0-9_.\-/]{1,30}$/;

/** Collects every problem (not just the first) so a rules author fixes the file in one go. */
class Reader {
  readonly problems: string[] = [];

  obj(v: unknown, field: string, required = false): Json | null {
    if (v === undefined || v === null) {
      if (required) this.problems.push(`${field} is required (object)`);
      return null;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.problems.push(`${field} must be an object`);
      return null;
    }
    return v as Json;
  }

  code(v: unknown, field: string, required: boolean, fallback: string | null = null): string | null {
    if (v === undefined || v === null) {
      if (required && fallback === null) this.problems.push(`${field} is required (X3 code)`);
      return fallback;
    }
    if (typeof v !== 'string' || !X3_CODE.test(v)) {
      this.problems.push(`${field} must be an X3 code (1-30 letters, digits, _ . - /), got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  }

  text(v: unknown, field: string, fallback: string): string {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v.length === 0) {
      this.problems.push(`${field} must be a non-empty string`);
      return fallback;
    }
    return v;
  }

  bool(v: unknown, field: string, fallback: boolean): boolean {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.problems.push(`${field} must be true or false`);
      return fallback;
    }
    return v;
  }

  int(v: unknown, field: string, fallback: number, min: number, max: number): number {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.problems.push(`${field} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return v;
  }

  strings(v: unknown, field: string, fallback: string[]): string[] {
    if (v === undefined || v === null) return fallback;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0)) {
      this.problems.push(`${field} must be an array of non-empty strings`);
      return fallback;
    }
    return [...new Set(v as string[])];
  }

  oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], fallback: T): T {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${field} must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  /** A map whose keys must match `keyPattern` and whose values are X3 codes. */
  codeMap(v: unknown, field: string, keyPattern: RegExp, keyWhat: string): Record<string, string> {
    const o = this.obj(v, field);
    const out: Record<string, string> = {};
    if (!o) return out;
    for (const [k, val] of Object.entries(o)) {
      if (!keyPattern.test(k)) this.problems.push(`${field}: key ${JSON.stringify(k)} must be ${keyWhat}`);
      const c = this.code(val, `${field}.${k}`, true);
      if (c) out[k] = c;
    }
    return out;
  }
}

const INT_KEY = /^[1-9]\d{0,17}$/;

/** Validates parsed JSON and fills the documented defaults. Throws MappingRulesError naming every bad field. */
export function parseMappingRules(json: unknown, source = '(inline)'): MappingRules {
  const r = new Reader();
  const root = r.obj(json, 'rules', true) ?? {};
  for (const k of Object.keys(root)) if (!KNOWN_TOP.has(k)) r.problems.push(`unknown field "${k}" (typo?)`);
  if (root['version'] !== 1) r.problems.push('version must be 1');

  const cc = r.obj(root['costCenters'], 'costCenters', true) ?? {};
  const dimensionType = r.code(cc['dimensionType'], 'costCenters.dimensionType', false, 'CCE') ?? 'CCE';
  const ccRef = (v: unknown, field: string): CostCenterRef | null => {
    if (typeof v === 'string' || v === null || v === undefined) {
      const code = r.code(v, field, true);
      return code ? { costCenter: code, dimensionType } : null;
    }
    const o = r.obj(v, field);
    if (!o) return null;
    const code = r.code(o['costCenter'], `${field}.costCenter`, true);
    const die = r.code(o['dimensionType'], `${field}.dimensionType`, false, dimensionType) ?? dimensionType;
    return code ? { costCenter: code, dimensionType: die } : null;
  };
  const businessUnits: Record<string, CostCenterRef> = {};
  const bu = r.obj(cc['businessUnits'], 'costCenters.businessUnits', true) ?? {};
  for (const [k, v] of Object.entries(bu)) {
    if (!INT_KEY.test(k))
      r.problems.push(`costCenters.businessUnits: key ${JSON.stringify(k)} must be a ServiceTitan business unit id`);
    const ref = ccRef(v, `costCenters.businessUnits.${k}`);
    if (ref) businessUnits[k] = ref;
  }
  const defaultCostCenter =
    cc['default'] === undefined || cc['default'] === null ? null : ccRef(cc['default'], 'costCenters.default');

  const acc = r.obj(root['accounts'], 'accounts', true) ?? {};
  const pair = (name: 'labor' | 'material'): AccountPair => {
    const p = r.obj(acc[name], `accounts.${name}`, true) ?? {};
    return {
      debit: r.code(p['debit'], `accounts.${name}.debit`, true) ?? '',
      credit: r.code(p['credit'], `accounts.${name}.credit`, true) ?? '',
    };
  };
  const accounts = {
    labor: pair('labor'),
    material: pair('material'),
    glAccounts: r.codeMap(acc['glAccounts'], 'accounts.glAccounts', /^\S{1,40}$/, 'a ServiceTitan GL account number'),
    requireGlAccountMapping: r.bool(acc['requireGlAccountMapping'], 'accounts.requireGlAccountMapping', false),
  };

  const lab = r.obj(root['labor'], 'labor') ?? {};
  const labor = {
    source: r.oneOf(
      lab['source'],
      'labor.source',
      ['gross-pay-items', 'invoice-items', 'none'] as const,
      'gross-pay-items',
    ),
    invoiceItemTypes: r.strings(lab['invoiceItemTypes'], 'labor.invoiceItemTypes', ['Service']),
    grossPayWindowDaysBefore: r.int(lab['grossPayWindowDaysBefore'], 'labor.grossPayWindowDaysBefore', 7, 0, 366),
    grossPayWindowDaysAfter: r.int(lab['grossPayWindowDaysAfter'], 'labor.grossPayWindowDaysAfter', 14, 0, 366),
  };
  const materialItemTypes = r.strings(root['materialItemTypes'], 'materialItemTypes', ['Material', 'Equipment']);
  const overlap = materialItemTypes.filter(
    (t) => labor.source === 'invoice-items' && labor.invoiceItemTypes.includes(t),
  );
  if (overlap.length)
    r.problems.push(
      `labor.invoiceItemTypes and materialItemTypes both contain ${overlap.join(', ')}: an item would be counted twice`,
    );

  const sup = r.obj(root['suppliers'], 'suppliers') ?? {};
  const suppliers = {
    byVendorId: r.codeMap(sup['byVendorId'], 'suppliers.byVendorId', INT_KEY, 'a ServiceTitan vendor id'),
    matchByName: r.bool(sup['matchByName'], 'suppliers.matchByName', true),
  };
  const prod = r.obj(root['products'], 'products') ?? {};
  const products = r.codeMap(prod['bySkuCode'], 'products.bySkuCode', /^\S{1,60}$/, 'a ServiceTitan SKU code');
  for (const k of Object.keys(prod)) if (k !== 'bySkuCode') r.problems.push(`products: unknown field "${k}"`);

  const po = r.obj(root['purchaseOrders'], 'purchaseOrders') ?? {};
  const numberTemplate = r.text(po['numberTemplate'], 'purchaseOrders.numberTemplate', '{number}');
  const badPlaceholders = [...numberTemplate.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1])
    .filter((p) => p !== 'id' && p !== 'number');
  if (badPlaceholders.length)
    r.problems.push(
      `purchaseOrders.numberTemplate: unknown placeholder(s) ${badPlaceholders.map((p) => `{${p}}`).join(', ')} (use {id} or {number})`,
    );
  const purchaseOrders = {
    byServiceTitanId: r.codeMap(
      po['byServiceTitanId'],
      'purchaseOrders.byServiceTitanId',
      INT_KEY,
      'a ServiceTitan purchase order id',
    ),
    numberTemplate,
  };

  const jr = r.obj(root['journal'], 'journal') ?? {};
  const journal = {
    entryType: r.code(jr['entryType'], 'journal.entryType', false),
    journal: r.code(jr['journal'], 'journal.journal', false),
    descriptionTemplate: r.text(
      jr['descriptionTemplate'],
      'journal.descriptionTemplate',
      'ServiceTitan job {jobNumber}',
    ),
    lineDescriptionTemplate: r.text(
      jr['lineDescriptionTemplate'],
      'journal.lineDescriptionTemplate',
      'Job {jobNumber} {costKind}',
    ),
  };
  for (const [f, t] of [
    ['journal.descriptionTemplate', journal.descriptionTemplate],
    ['journal.lineDescriptionTemplate', journal.lineDescriptionTemplate],
  ] as const) {
    const bad = [...t.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((p) => !TEMPLATE_FIELDS.includes(p));
    if (bad.length)
      r.problems.push(
        `${f}: unknown placeholder(s) ${bad.map((p) => `{${p}}`).join(', ')} (use ${TEMPLATE_FIELDS.map((p) => `{${p}}`).join(', ')})`,
      );
  }
  const bl = r.obj(root['bills'], 'bills') ?? {};
  const bills = {
    supplierInvoiceNumberField: r.oneOf(
      bl['supplierInvoiceNumberField'],
      'bills.supplierInvoiceNumberField',
      ['vendorNumber', 'referenceNumber'] as const,
      'vendorNumber',
    ),
  };
  const amountScale = r.int(root['amountScale'], 'amountScale', 2, 0, 6);

  if (r.problems.length) throw new MappingRulesError(source, r.problems);
  return {
    version: 1,
    businessUnits,
    defaultCostCenter,
    accounts,
    materialItemTypes,
    labor,
    suppliers,
    products,
    purchaseOrders,
    journal,
    bills,
    amountScale,
  };
}

export const TEMPLATE_FIELDS = [
  'jobId',
  'jobNumber',
  'businessUnitId',
  'costCenter',
  'completedOn',
  'revision',
  'costKind',
];

/** Fills {placeholders} from values; a missing value becomes an empty string. */
export function renderTemplate(template: string, values: Record<string, string | number | null | undefined>): string {
  return template
    .replace(/\{([^}]*)\}/g, (_m, k: string) => {
      const v = values[k];
      return v === null || v === undefined ? '' : String(v);
    })
    .trim();
}

export function loadMappingRulesFile(path: string): MappingRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MappingRulesError(path, [
      `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MappingRulesError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseMappingRules(json, path);
}
