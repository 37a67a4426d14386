import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsISO8601, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_INVOICE_RECORD = 'servicetitan.invoice.record';

export class InvoiceRecordItemDto {
  @IsEntityId() id!: number;
  /** Service | Material | Equipment | PriceModifier | Unspecified. */
  @IsString() type!: string;
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsEntityId() skuId?: number | null;
  @IsOptional() @IsString() skuName?: string | null;
  @IsOptional() @IsDecimalString() quantity?: string | null;
  @IsOptional() @IsDecimalString() cost?: string | null;
  /** Nullable in ServiceTitan; the mapper then uses quantity × cost (docs/mapping-rules.md). */
  @IsOptional() @IsDecimalString() totalCost?: string | null;
  @IsOptional() @IsDecimalString() total?: string | null;
  /** ServiceTitan GL account numbers. */
  @IsOptional() @IsString() costOfSaleAccount?: string | null;
  @IsOptional() @IsString() generalLedgerAccount?: string | null;
  @IsOptional() @IsEntityId() technicianId?: number | null;
}

/**
 * A ServiceTitan invoice of a job (its items carry the material costs), from the invoices export feed, on
 * `servicetitan.records.v1` with key `<tenant>:job:<jobId>:invoice:<invoiceId>`, partitioned by the job.
 * Volatile fields (modifiedOn, syncStatus: write-back bumps both) are not part of the content hash.
 */
export class ServiceTitanInvoiceRecordV1 {
  @IsEntityId() invoiceId!: number;
  @IsEntityId() jobId!: number;
  @IsBoolean() active!: boolean;
  @IsOptional() @IsString() referenceNumber?: string | null;
  @IsOptional() @IsISO8601() invoiceDate?: string | null;
  @IsOptional() @IsDecimalString() total?: string | null;
  @IsOptional() @IsEntityId() businessUnitId?: number | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => InvoiceRecordItemDto) items!: InvoiceRecordItemDto[];
  @IsISO8601() modifiedOn!: string;
  @IsString() contentHash!: string;
}
