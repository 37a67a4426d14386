import {
  Inline,
  IntBetween,
  isPlainObject,
  NestedObject,
  NestedRecord,
  NonEmptyString,
  OneOf,
  StringList,
  TemplatePlaceholders,
  TrueOrFalse,
} from '@connector/util';
import { Allow, IsDefined, IsOptional, IsString, ValidateBy, ValidateIf, ValidationArguments } from 'class-validator';

/*
 * Version 1 of the mapping-rules file (docs/mapping-rules.md), one DTO class per section; optional fields carry their
 * documented default as the initializer. parseMappingRules() picks the schema by the file's `version`. Version 2
 * (mapping-rules-v2.dto.ts) reuses the sections and field decorators exported here.
 */

const X3_CODE = /^[A-Za-z0-9_.\-/]{1,30}$/;
export const ST_ID = /^[1-9]\d{0,17}$/;

export const TEMPLATE_FIELDS = [
  'jobId',
  'jobNumber',
  'businessUnitId',
  'costCenter',
  'completedOn',
  'revision',
  'costKind',
  'jobTypeId',
];

export function IsX3Code(): PropertyDecorator {
  return ValidateBy({
    name: 'isX3Code',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && X3_CODE.test(v),
      defaultMessage: (a?: ValidationArguments) =>
        `$path must be an X3 code (1-30 letters, digits, _ . - /), got ${JSON.stringify(a?.value)}`,
    },
  });
}

export function RequiredX3Code(): PropertyDecorator {
  return (target, key) => {
    IsDefined({ message: '$path is required (X3 code)' })(target, key);
    IsX3Code()(target, key);
  };
}

/** The key of a map entry (validated on the entry, reported on the map). */
function MapKey(pattern: RegExp, what: string): PropertyDecorator {
  return (target, key) => {
    Inline()(target, key);
    ValidateBy({
      name: 'mapKey',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && pattern.test(v),
        defaultMessage: (a?: ValidationArguments) => `$parent: key ${JSON.stringify(a?.value)} must be ${what}`,
      },
    })(target, key);
  };
}

/** A map "<ServiceTitan key>" → X3 code. */
export function X3CodeMap(keyPattern: RegExp, keyWhat: string): PropertyDecorator {
  class CodeEntry {
    @MapKey(keyPattern, keyWhat) key!: string;
    @Inline() @RequiredX3Code() value!: string;
  }
  return NestedRecord(() => CodeEntry, { entry: (value) => ({ value }) });
}

/** Reads a code map's entries into a record. */
export function codeRecord(map: Map<string, { value: string }>): Record<string, string> {
  return Object.fromEntries([...map].map(([k, e]) => [k, e.value]));
}

/** Written as a code ("CC-HVAC", dimension type from costCenters.dimensionType) or as an object. */
export class CostCenterRefDto {
  /** The code form. */
  @Inline() @ValidateIf((o: CostCenterRefDto) => o.isCodeForm()) @RequiredX3Code() value?: string;
  @ValidateIf((o: CostCenterRefDto) => !o.isCodeForm()) @RequiredX3Code() costCenter?: string;
  @IsOptional() @IsX3Code() dimensionType?: string;

  isCodeForm(): boolean {
    return this.costCenter === undefined && this.dimensionType === undefined;
  }
}

const costCenterForm = (v: unknown) => (isPlainObject(v) ? v : { value: v });

export class BusinessUnitEntryDto extends CostCenterRefDto {
  @MapKey(ST_ID, 'a ServiceTitan business unit id') key!: string;
}

export class CostCentersDto {
  @IsX3Code() dimensionType: string = 'CCE';
  /** ServiceTitan business unit id → cost center. */
  @NestedRecord(() => BusinessUnitEntryDto, { required: true, entry: costCenterForm })
  businessUnits!: Map<string, BusinessUnitEntryDto>;
  /** For unlisted business units; absent = reject with BUSINESS_UNIT_UNMAPPED. */
  @NestedObject(() => CostCenterRefDto, { fromScalar: (value) => ({ value }) }) default?: CostCenterRefDto;
}

export class AccountPairDto {
  @RequiredX3Code() debit!: string;
  @RequiredX3Code() credit!: string;
}

export class AccountsDto {
  @NestedObject(() => AccountPairDto, { required: true }) labor!: AccountPairDto;
  @NestedObject(() => AccountPairDto, { required: true }) material!: AccountPairDto;
  @X3CodeMap(/^\S{1,40}$/, 'a ServiceTitan GL account number') glAccounts: Map<string, { value: string }> = new Map();
  @TrueOrFalse() requireGlAccountMapping: boolean = false;
}

export class LaborDto {
  @OneOf(['gross-pay-items', 'invoice-items', 'none'])
  source: 'gross-pay-items' | 'invoice-items' | 'none' = 'gross-pay-items';
  @StringList() invoiceItemTypes: string[] = ['Service'];
  @IntBetween(0, 366) grossPayWindowDaysBefore: number = 7;
  @IntBetween(0, 366) grossPayWindowDaysAfter: number = 14;
}

export class SuppliersDto {
  @X3CodeMap(ST_ID, 'a ServiceTitan vendor id') byVendorId: Map<string, { value: string }> = new Map();
  @TrueOrFalse() matchByName: boolean = true;
}

export class ProductsDto {
  @X3CodeMap(/^\S{1,60}$/, 'a ServiceTitan SKU code') bySkuCode: Map<string, { value: string }> = new Map();
}

export class PurchaseOrdersDto {
  @X3CodeMap(ST_ID, 'a ServiceTitan purchase order id') byServiceTitanId: Map<string, { value: string }> = new Map();
  @NonEmptyString() @TemplatePlaceholders(['id', 'number']) numberTemplate: string = '{number}';
}

export class JournalRulesDto {
  /** Overrides of the tenant's sageX3.journal. */
  @IsOptional() @IsX3Code() entryType?: string;
  @IsOptional() @IsX3Code() journal?: string;
  @NonEmptyString() @TemplatePlaceholders(TEMPLATE_FIELDS) descriptionTemplate: string = 'ServiceTitan job {jobNumber}';
  @NonEmptyString() @TemplatePlaceholders(TEMPLATE_FIELDS) lineDescriptionTemplate: string =
    'Job {jobNumber} {costKind}';
}

export class BillsDto {
  @OneOf(['vendorNumber', 'referenceNumber'])
  supplierInvoiceNumberField: 'vendorNumber' | 'referenceNumber' = 'vendorNumber';
}

/** An invoice item type counted both as material and as labor would be posted twice. */
function NoOverlapWithLaborItemTypes(): PropertyDecorator {
  const overlap = (a?: ValidationArguments): string[] => {
    const labor = (a?.object as MappingRulesV1Dto | undefined)?.labor;
    const material: unknown = a?.value;
    if (labor?.source !== 'invoice-items' || !Array.isArray(labor.invoiceItemTypes) || !Array.isArray(material))
      return [];
    return material.filter((t) => labor.invoiceItemTypes.includes(t));
  };
  return ValidateBy({
    name: 'noOverlapWithLaborItemTypes',
    validator: {
      validate: (_v: unknown, a?: ValidationArguments) => overlap(a).length === 0,
      defaultMessage: (a?: ValidationArguments) =>
        `labor.invoiceItemTypes and materialItemTypes both contain ${overlap(a).join(', ')}: an item would be counted twice`,
    },
  });
}

export class MappingRulesV1Dto {
  @IsOptional() @IsString() $schema?: string;
  /** Checked before the schema is chosen (parseMappingRules). */
  @Allow() version!: 1;
  @IsOptional() @IsString() description?: string;
  @NestedObject(() => CostCentersDto, { required: true }) costCenters!: CostCentersDto;
  @NestedObject(() => AccountsDto, { required: true }) accounts!: AccountsDto;
  @StringList() @NoOverlapWithLaborItemTypes() materialItemTypes: string[] = ['Material', 'Equipment'];
  @NestedObject(() => LaborDto) labor: LaborDto = new LaborDto();
  @NestedObject(() => SuppliersDto) suppliers: SuppliersDto = new SuppliersDto();
  @NestedObject(() => ProductsDto) products: ProductsDto = new ProductsDto();
  @NestedObject(() => PurchaseOrdersDto) purchaseOrders: PurchaseOrdersDto = new PurchaseOrdersDto();
  @NestedObject(() => JournalRulesDto) journal: JournalRulesDto = new JournalRulesDto();
  @NestedObject(() => BillsDto) bills: BillsDto = new BillsDto();
  /** Decimals of posted amounts (the tenant currency's). */
  @IntBetween(0, 6) amountScale: number = 2;
}
