import { readFileSync } from 'node:fs';
import { DtoClass, isPlainObject, validateDto } from '@connector/util';
import { codeRecord, CostCenterRefDto, MappingRulesV1Dto, TEMPLATE_FIELDS } from './mapping-rules-v1.dto';

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

/** One supported `version` of the file: its DTO schema and how a valid document becomes MappingRules. */
interface RulesSchema {
  validate(json: unknown): { problems: string[]; rules: () => MappingRules };
}

function schema<T extends object>(dto: DtoClass<T>, toRules: (valid: T) => MappingRules): RulesSchema {
  return {
    validate: (json) => {
      const { value, problems } = validateDto(dto, json, { name: 'rules' });
      return { problems, rules: () => toRules(value) };
    },
  };
}

/** By `version`; the newest last (a file with an unsupported version is checked against the newest). */
const SCHEMAS: Record<number, RulesSchema> = {
  1: schema(MappingRulesV1Dto, rulesFromV1),
};
const VERSIONS = Object.keys(SCHEMAS).map(Number);

/**
 * Validates parsed JSON against the schema its `version` selects and fills the documented defaults. Throws
 * MappingRulesError naming every bad field (an unsupported version is reported along with the problems that the
 * newest schema finds).
 */
export function parseMappingRules(json: unknown, source = '(inline)'): MappingRules {
  const version = isPlainObject(json) ? json['version'] : undefined;
  const known = typeof version === 'number' ? SCHEMAS[version] : undefined;
  const { problems, rules } = (known ?? SCHEMAS[VERSIONS[VERSIONS.length - 1]]).validate(json);
  if (isPlainObject(json) && !known) problems.unshift(`version must be ${VERSIONS.join(' or ')}`);
  if (problems.length) throw new MappingRulesError(source, problems);
  return rules();
}

function rulesFromV1(d: MappingRulesV1Dto): MappingRules {
  const dimensionType = d.costCenters.dimensionType;
  const ref = (r: CostCenterRefDto): CostCenterRef =>
    r.isCodeForm()
      ? { costCenter: r.value as string, dimensionType }
      : { costCenter: r.costCenter as string, dimensionType: r.dimensionType ?? dimensionType };
  return {
    version: 1,
    businessUnits: Object.fromEntries([...d.costCenters.businessUnits].map(([k, r]) => [k, ref(r)])),
    defaultCostCenter: d.costCenters.default ? ref(d.costCenters.default) : null,
    accounts: {
      labor: { debit: d.accounts.labor.debit, credit: d.accounts.labor.credit },
      material: { debit: d.accounts.material.debit, credit: d.accounts.material.credit },
      glAccounts: codeRecord(d.accounts.glAccounts),
      requireGlAccountMapping: d.accounts.requireGlAccountMapping,
    },
    materialItemTypes: d.materialItemTypes,
    labor: { ...d.labor },
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
