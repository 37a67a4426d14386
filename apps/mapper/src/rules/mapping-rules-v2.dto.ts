import { IntBetween, NestedList, NestedObject, NonEmptyString, OneOf, StringList, TrueOrFalse } from '@connector/util';
import { Transform } from 'class-transformer';
import { Allow, IsOptional, IsString, ValidateBy, ValidationArguments } from 'class-validator';
import {
  AccountPairDto,
  BillsDto,
  CostCentersDto,
  IsX3Code,
  JournalRulesDto,
  ProductsDto,
  PurchaseOrdersDto,
  SuppliersDto,
  X3CodeMap,
} from './mapping-rules-v1.dto';

/*
 * Version 2 of the mapping-rules file (docs/mapping-rules.md): accounts per cost kind chosen by job type and/or
 * business unit, with a tenant default, and strict job types. The sections it shares with version 1 (cost centers,
 * suppliers, products, purchase orders, journal, bills) are version 1's classes. Rules that span sections (an item type
 * counted twice, a cost kind without accounts, two rules of one precedence level for the same job) are checked by
 * crossCheckV2() in mapping-rules.ts, after the field-by-field validation.
 */

/** Cost kinds of a job's costs: labor (payroll or service items), and the invoice item kinds. */
export const COST_KINDS = ['labor', 'material', 'equipment', 'other'] as const;
export type CostKind = (typeof COST_KINDS)[number];

/** A non-empty list of ServiceTitan ids (positive integers); duplicates are dropped. */
function IdList(what: string): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }) => (Array.isArray(value) ? [...new Set(value)] : value))(target, key);
    IsOptional()(target, key);
    ValidateBy({
      name: 'idList',
      validator: {
        validate: (v: unknown) =>
          Array.isArray(v) && v.length > 0 && v.every((id) => Number.isSafeInteger(id) && (id as number) > 0),
        defaultMessage: (a?: ValidationArguments) =>
          `$path must be a non-empty array of ${what} (positive integers), got ${JSON.stringify(a?.value)}`,
      },
    })(target, key);
  };
}

/** The accounts of one cost kind in a rule: each side on its own; a side left out comes from the next level. */
export class RuleAccountPairDto {
  @IsOptional() @IsX3Code() debit?: string;
  @IsOptional() @IsX3Code() credit?: string;
}

/** The tenant default: both sides of every cost kind that takes costs (crossCheckV2 says which). */
export class DefaultAccountsDto {
  @NestedObject(() => AccountPairDto) labor?: AccountPairDto;
  @NestedObject(() => AccountPairDto) material?: AccountPairDto;
  @NestedObject(() => AccountPairDto) equipment?: AccountPairDto;
  @NestedObject(() => AccountPairDto) other?: AccountPairDto;
}

export class RuleAccountsDto {
  @NestedObject(() => RuleAccountPairDto) labor?: RuleAccountPairDto;
  @NestedObject(() => RuleAccountPairDto) material?: RuleAccountPairDto;
  @NestedObject(() => RuleAccountPairDto) equipment?: RuleAccountPairDto;
  @NestedObject(() => RuleAccountPairDto) other?: RuleAccountPairDto;
}

/**
 * Accounts for the jobs of some job types and/or business units. A rule naming job types without accounts says that
 * those types post to the accounts of the levels below (it makes them "mapped" for `jobTypes.strict`).
 */
export class AccountRuleDto {
  /** Shown in problems and logs (e.g. "installation labor"). */
  @IsOptional() @NonEmptyString() name?: string;
  @IdList('ServiceTitan job type ids') jobTypes?: number[];
  @IdList('ServiceTitan business unit ids') businessUnits?: number[];
  @NestedObject(() => RuleAccountsDto) accounts?: RuleAccountsDto;
}

export class AccountsV2Dto {
  @NestedObject(() => DefaultAccountsDto, { required: true }) default!: DefaultAccountsDto;
  @NestedList(() => AccountRuleDto) rules: AccountRuleDto[] = [];
  @X3CodeMap(/^\S{1,40}$/, 'a ServiceTitan GL account number') glAccounts: Map<string, { value: string }> = new Map();
  @TrueOrFalse() requireGlAccountMapping: boolean = false;
}

/** Invoice item types per cost kind (labor's are in `labor`); an item of an unlisted type is no cost. */
export class InvoiceItemTypesDto {
  @StringList() material: string[] = ['Material', 'Equipment'];
  @StringList() equipment: string[] = [];
  @StringList() other: string[] = [];
}

export class LaborV2Dto {
  @OneOf(['gross-pay-items', 'invoice-items', 'none'])
  source: 'gross-pay-items' | 'invoice-items' | 'none' = 'gross-pay-items';
  @StringList() invoiceItemTypes: string[] = ['Service'];
}

export class JobTypesDto {
  /** true: a job whose type no rule names (for its business unit) is rejected with JOB_TYPE_UNMAPPED. */
  @TrueOrFalse() strict: boolean = false;
}

export class MappingRulesV2Dto {
  @IsOptional() @IsString() $schema?: string;
  /** Checked before the schema is chosen (parseMappingRules). */
  @Allow() version!: 2;
  @IsOptional() @IsString() description?: string;
  @NestedObject(() => CostCentersDto, { required: true }) costCenters!: CostCentersDto;
  @NestedObject(() => InvoiceItemTypesDto) invoiceItemTypes: InvoiceItemTypesDto = new InvoiceItemTypesDto();
  @NestedObject(() => LaborV2Dto) labor: LaborV2Dto = new LaborV2Dto();
  @NestedObject(() => AccountsV2Dto, { required: true }) accounts!: AccountsV2Dto;
  @NestedObject(() => JobTypesDto) jobTypes: JobTypesDto = new JobTypesDto();
  @NestedObject(() => SuppliersDto) suppliers: SuppliersDto = new SuppliersDto();
  @NestedObject(() => ProductsDto) products: ProductsDto = new ProductsDto();
  @NestedObject(() => PurchaseOrdersDto) purchaseOrders: PurchaseOrdersDto = new PurchaseOrdersDto();
  @NestedObject(() => JournalRulesDto) journal: JournalRulesDto = new JournalRulesDto();
  @NestedObject(() => BillsDto) bills: BillsDto = new BillsDto();
  /** Decimals of posted amounts (the tenant currency's). */
  @IntBetween(0, 6) amountScale: number = 2;
}
