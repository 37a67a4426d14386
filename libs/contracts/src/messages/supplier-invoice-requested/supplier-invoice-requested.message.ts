import { Type } from 'class-transformer';
import { IsArray, IsInt, IsISO8601, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { SourceRecordRefDto } from '../journal-entry-requested/journal-entry-requested.message';

export const SUPPLIER_INVOICE_REQUESTED = 'connector.supplier-invoice.requested';

export class SupplierInvoiceLineDto {
  @IsString() purchaseOrder!: string;
  @IsInt() purchaseOrderLine!: number;
  @IsString() product!: string;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() netPrice!: string;
}

/** An unmatched supplier invoice (PINVOICE) against a purchase order, from a ServiceTitan inventory bill. */
export class SupplierInvoiceRequestedV1 {
  @IsString() @Matches(/^[A-Za-z0-9:_.-]{1,60}$/) externalRef!: string;
  @ValidateNested() @Type(() => SourceRecordRefDto) source!: SourceRecordRefDto;
  @IsString() site!: string;
  @IsString() supplier!: string;
  @IsString() supplierInvoiceNumber!: string;
  @IsISO8601() invoiceDate!: string;
  @IsISO8601() accountingDate!: string;
  @IsString() @Matches(/^[A-Z]{3}$/) currency!: string;
  @IsDecimalString() controlTotal!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SupplierInvoiceLineDto) lines!: SupplierInvoiceLineDto[];
  /** A voided or corrected bill: the earlier external reference this one supersedes. */
  @IsOptional() @IsString() supersedes?: string | null;
}
