import { readFileSync } from 'node:fs';
import { DtoClass, isPlainObject, validateDto } from '@connector/util';
import { accountRuleProblems, ruleLabelOf } from './account-resolution';
import { codeRecord, CostCenterRefDto, MappingRulesV1Dto, TEMPLATE_FIELDS } from './mapping-rules-v1.dto';
import {
  AccountsV2Dto,
  COST_KINDS,
  CostKind,
  DefaultAccountsDto,
  InvoiceItemTypesDto,
  LaborV2Dto,
  MappingRulesV2Dto,
} from './mapping-rules-v2.dto';

export { COST_KINDS };
export type { CostKind };

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

/**
 * Accounts for the jobs of some job types and/or business units (version 2 `accounts.rules`). Each side of a cost
 * kind is set on its own; a side a rule leaves out comes from the next precedence level (account-resolution.ts).
 */
export interface AccountRule {
  /** Where it is in the file, with its name: `accounts.rules[2] "installation labor"` (problems, logs). */
  label: string;
  /** null: any job type. */
  jobTypes: number[] | null;
  /** null: any business unit. */
  businessUnits: number[] | null;
  accounts: Partial<Record<CostKind, Partial<AccountPair>>>;
}

/**
 * Validated, defaulted per-tenant mapping rules (see docs/mapping-rules.md for the file format): one shape for every
 * file version (a version 1 file is a version 2 one with only a tenant default and no strict job types).
 */
export interface MappingRules {
  version: 1 | 2;
  /** Business unit id (as a string) → X3 cost center. */
  businessUnits: Record<string, CostCenterRef>;
  /** Used when a business unit is not listed; null = reject with BUSINESS_UNIT_UNMAPPED. */
  defaultCostCenter: CostCenterRef | null;
  accounts: {
    /** The tenant default per cost kind; every cost kind that takes costs has one (checked at load). */
    default: Partial<Record<CostKind, AccountPair>>;
    /** By precedence: job type + business unit, then job type, then business unit, then the default. */
    rules: AccountRule[];
    /** ServiceTitan GL account number → X3 account, used for the debit (cost) side of invoice items. */
    glAccounts: Record<string, string>;
    /** true: an invoice item whose ServiceTitan account is not in glAccounts is rejected (GL_ACCOUNT_UNMAPPED). */
    requireGlAccountMapping: boolean;
  };
  /** Invoice item type → the cost kind its cost counts as (labor only with labor.source invoice-items); others: none. */
  invoiceItemKinds: Record<string, CostKind>;
  jobTypes: {
    /** true: a job whose type no rule names (for its business unit) is rejected with JOB_TYPE_UNMAPPED. */
    strict: boolean;
  };
  labor: {
    source: LaborSource;
    /** Invoice item types counted as labor when source is invoice-items. */
    invoiceItemTypes: string[];
    /** Version 1 only, no longer used (gross pay items come from their feed); kept so that old files stay valid. */
    grossPayWindowDaysBefore?: number;
    grossPayWindowDaysAfter?: number;
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

/** One supported `version` of the file: its DTO schema and how a valid document becomes MappingRules. */
interface RulesSchema {
  validate(json: unknown): { problems: string[]; rules: () => MappingRules };
}

/**
 * `crossCheck` finds what spans fields (an item type in two cost kinds, two rules of one level for the same job); it
 * runs on the converted document even when fields are invalid, so it must not trust their types.
 */
function schema<T extends object>(
  dto: DtoClass<T>,
  toRules: (valid: T) => MappingRules,
  crossCheck: (doc: T) => string[] = () => [],
): RulesSchema {
  return {
    validate: (json) => {
      const { value, problems } = validateDto(dto, json, { name: 'rules' });
      if (isPlainObject(json)) problems.push(...crossCheck(value).filter((p) => !problems.includes(p)));
      return { problems, rules: () => toRules(value) };
    },
  };
}

/** By `version`. */
const SCHEMAS: Record<number, RulesSchema> = {
  1: schema(MappingRulesV1Dto, rulesFromV1),
  2: schema(MappingRulesV2Dto, rulesFromV2, crossCheckV2),
};
const VERSIONS = Object.keys(SCHEMAS).map(Number);

/**
 * Validates parsed JSON against the schema its `version` selects and fills the documented defaults. Throws
 * MappingRulesError naming every bad field. An unsupported (or missing) version is reported along with the problems
 * of the schema the document is closest to (fewest problems; the newer on a tie), so a version 1 file with a typo in
 * `version` is not told about every version 2 field.
 */
export function parseMappingRules(json: unknown, source = '(inline)'): MappingRules {
  const version = isPlainObject(json) ? json['version'] : undefined;
  const known = typeof version === 'number' ? SCHEMAS[version] : undefined;
  const { problems, rules } = known
    ? known.validate(json)
    : VERSIONS.map((v) => SCHEMAS[v].validate(json)).reduce((best, r) =>
        r.problems.length <= best.problems.length ? r : best,
      );
  if (isPlainObject(json) && !known) problems.unshift(`version must be ${VERSIONS.join(' or ')}`);
  if (problems.length) throw new MappingRulesError(source, problems);
  return rules();
}

function costCenterRefs(
  d: MappingRulesV1Dto | MappingRulesV2Dto,
): Pick<MappingRules, 'businessUnits' | 'defaultCostCenter'> {
  const dimensionType = d.costCenters.dimensionType;
  const ref = (r: CostCenterRefDto): CostCenterRef =>
    r.isCodeForm()
      ? { costCenter: r.value as string, dimensionType }
      : { costCenter: r.costCenter as string, dimensionType: r.dimensionType ?? dimensionType };
  return {
    businessUnits: Object.fromEntries([...d.costCenters.businessUnits].map(([k, r]) => [k, ref(r)])),
    defaultCostCenter: d.costCenters.default ? ref(d.costCenters.default) : null,
  };
}

/** The sections version 1 and 2 share. */
function sharedSections(
  d: MappingRulesV1Dto | MappingRulesV2Dto,
): Pick<MappingRules, 'suppliers' | 'products' | 'purchaseOrders' | 'journal' | 'bills' | 'amountScale'> {
  return {
    suppliers: { byVendorId: codeRecord(d.suppliers.byVendorId), matchByName: d.suppliers.matchByName },
    products: codeRecord(d.products.bySkuCode),
    purchaseOrders: {
      byServiceTitanId: codeRecord(d.purchaseOrders.byServiceTitanId),
      numberTemplate: d.purchaseOrders.numberTemplate,
    },
    journal: {
      entryType: d.journal.entryType ?? null,
      journal: d.journal.journal ?? null,
      descriptionTemplate: d.journal.descriptionTemplate,
      lineDescriptionTemplate: d.journal.lineDescriptionTemplate,
    },
    bills: { ...d.bills },
    amountScale: d.amountScale,
  };
}

/** Item type → cost kind; labor's types count only when labor comes from invoice items. */
function itemKinds(lists: Partial<Record<CostKind, string[]>>, labor: MappingRules['labor']): Record<string, CostKind> {
  const out: Record<string, CostKind> = {};
  for (const kind of COST_KINDS) {
    const types = kind === 'labor' ? (labor.source === 'invoice-items' ? labor.invoiceItemTypes : []) : lists[kind];
    for (const t of types ?? []) out[t] = kind;
  }
  return out;
}

function rulesFromV1(d: MappingRulesV1Dto): MappingRules {
  const labor = { ...d.labor };
  return {
    version: 1,
    ...costCenterRefs(d),
    accounts: {
      default: {
        labor: { debit: d.accounts.labor.debit, credit: d.accounts.labor.credit },
        material: { debit: d.accounts.material.debit, credit: d.accounts.material.credit },
      },
      rules: [],
      glAccounts: codeRecord(d.accounts.glAccounts),
      requireGlAccountMapping: d.accounts.requireGlAccountMapping,
    },
    invoiceItemKinds: itemKinds({ material: d.materialItemTypes }, labor),
    jobTypes: { strict: false },
    labor,
    ...sharedSections(d),
  };
}

function rulesFromV2(d: MappingRulesV2Dto): MappingRules {
  const labor = { source: d.labor.source, invoiceItemTypes: d.labor.invoiceItemTypes };
  const defaults: Partial<Record<CostKind, AccountPair>> = {};
  for (const kind of COST_KINDS) {
    const pair = d.accounts.default[kind];
    if (pair) defaults[kind] = { debit: pair.debit, credit: pair.credit };
  }
  return {
    version: 2,
    ...costCenterRefs(d),
    accounts: {
      default: defaults,
      rules: d.accounts.rules.map((r, i) => {
        const accounts: AccountRule['accounts'] = {};
        for (const kind of COST_KINDS) {
          const pair = r.accounts?.[kind];
          if (pair)
            accounts[kind] = { ...(pair.debit && { debit: pair.debit }), ...(pair.credit && { credit: pair.credit }) };
        }
        return {
          label: ruleLabelOf(i, r.name),
          jobTypes: r.jobTypes ?? null,
          businessUnits: r.businessUnits ?? null,
          accounts,
        };
      }),
      glAccounts: codeRecord(d.accounts.glAccounts),
      requireGlAccountMapping: d.accounts.requireGlAccountMapping,
    },
    invoiceItemKinds: itemKinds(d.invoiceItemTypes, labor),
    jobTypes: { strict: d.jobTypes.strict },
    labor,
    ...sharedSections(d),
  };
}

/** A list of strings, or null when the field is broken (its own problem is reported; nothing is derived from it). */
const stringList = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : null;

/**
 * What version 2's field validation cannot see: every item type counts as one cost kind at most; a cost kind that
 * takes costs has default accounts, one that takes none has no accounts (a rule with a typo'd kind would do nothing);
 * and the rules are unambiguous (account-resolution.ts). Broken sections were reported already and are skipped.
 */
function crossCheckV2(d: MappingRulesV2Dto): string[] {
  const problems: string[] = [];
  const items = d.invoiceItemTypes instanceof InvoiceItemTypesDto ? d.invoiceItemTypes : null;
  const labor = d.labor instanceof LaborV2Dto ? d.labor : null;
  const laborSource =
    labor && ['gross-pay-items', 'invoice-items', 'none'].includes(labor.source) ? labor.source : null;
  // [path, kind, types]; types null = unknown (broken field).
  const lists: Array<[string, CostKind, string[] | null]> = [
    ['invoiceItemTypes.material', 'material', items && stringList(items.material)],
    ['invoiceItemTypes.equipment', 'equipment', items && stringList(items.equipment)],
    ['invoiceItemTypes.other', 'other', items && stringList(items.other)],
    [
      'labor.invoiceItemTypes',
      'labor',
      laborSource === 'invoice-items' ? stringList(labor?.invoiceItemTypes) : laborSource && [],
    ],
  ];
  for (let i = 0; i < lists.length; i++)
    for (let j = i + 1; j < lists.length; j++) {
      const both = (lists[i][2] ?? []).filter((t) => lists[j][2]?.includes(t));
      if (both.length)
        problems.push(
          `${lists[i][0]} and ${lists[j][0]} both contain ${both.join(', ')}: an item would be counted twice`,
        );
    }

  // Why a cost kind takes costs (undefined: it takes none; null: unknown).
  const why: Partial<Record<CostKind, string | null>> = {};
  const idle: Partial<Record<CostKind, string>> = {};
  for (const [path, kind, types] of lists) {
    if (types === null) why[kind] = null;
    else if (types.length) why[kind] = `${path} lists ${types.join(', ')}`;
    else idle[kind] = `${path} is empty`;
  }
  if (laborSource === 'gross-pay-items') {
    why.labor = 'labor.source is gross-pay-items';
    delete idle.labor;
  }
  if (laborSource === 'none') idle.labor = 'labor.source is none';
  const accounts = d.accounts instanceof AccountsV2Dto ? d.accounts : null;
  const defaults = accounts?.default instanceof DefaultAccountsDto ? accounts.default : null;
  for (const kind of COST_KINDS) {
    if (why[kind] && defaults && !defaults[kind])
      problems.push(`accounts.default.${kind} is required (object): ${why[kind]}`);
    if (idle[kind] && defaults?.[kind])
      problems.push(`accounts.default.${kind}: the cost kind ${kind} takes no costs (${idle[kind]})`);
  }
  if (accounts && Array.isArray(accounts.rules))
    problems.push(
      ...accountRuleProblems(accounts.rules, { idle: (k) => idle[k] ?? null, strict: d.jobTypes?.strict === true }),
    );
  return problems;
}

export { TEMPLATE_FIELDS };

/** Fills {placeholders} from values; a missing value becomes an empty string. */
export function renderTemplate(template: string, values: Record<string, string | number | null | undefined>): string {
  return template
    .replace(/\{([^}]*)\}/g, (_m, k: string) => {
      const v = values[k];
      return v === null || v === undefined ? '' : String(v);
    })
    .trim();
}

/** The file's text; MappingRulesError naming the file when it cannot be read. */
export function readMappingRulesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new MappingRulesError(path, [
      `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
}

/** Parses and validates a rules file's text (`path` names it in problems). */
export function parseMappingRulesText(text: string, path: string): MappingRules {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MappingRulesError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseMappingRules(json, path);
}

export function loadMappingRulesFile(path: string): MappingRules {
  return parseMappingRulesText(readMappingRulesFile(path), path);
}
