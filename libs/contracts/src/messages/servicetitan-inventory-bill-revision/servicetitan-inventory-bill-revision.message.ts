import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

export const ST_INVENTORY_BILL_REVISION = 'servicetitan.inventory-bill.revision';

export class InventoryBillItemDto {
  @IsInt() id!: number;
  @IsInt() order!: number;
  @IsOptional() @IsString() name?: string | null;
  @IsOptional() @IsString() description?: string | null;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() cost!: string;
  @IsInt() skuId!: number;
  @IsOptional() @IsString() skuCode?: string | null;
  @IsOptional() @IsString() skuType?: string | null;
  @IsOptional() @IsInt() receiptItemId?: number | null;
}

/**
 * One revision of a ServiceTitan inventory bill. A new revision is published whenever the pull sees a
 * changed `modifiedOn` or content hash; `voided` marks a bill that disappeared or was zeroed/cancelled.
 */
export class ServiceTitanInventoryBillRevisionV1 {
  @IsInt() billId!: number;
  /** Monotonic per bill (1, 2, 3…): part of the X3 external reference. */
  @IsInt() @Min(1) revision!: number;
  /** sha256 of the normalised content; equal hashes are not new revisions. */
  @IsString() contentHash!: string;
  @IsBoolean() voided!: boolean;
  @IsOptional() @IsInt() purchaseOrderId?: number | null;
  @IsOptional() @IsString() referenceNumber?: string | null;
  @IsOptional() @IsString() vendorNumber?: string | null;
  @IsOptional() @IsInt() vendorId?: number | null;
  @IsOptional() @IsString() vendorName?: string | null;
  @IsOptional() @IsISO8601() billDate?: string | null;
  @IsDecimalString() billAmount!: string;
  @IsDecimalString() taxAmount!: string;
  @IsDecimalString() shippingAmount!: string;
  @IsOptional() @IsInt() businessUnitId?: number | null;
  @IsOptional() @IsString() businessUnitName?: string | null;
  @IsOptional() @IsInt() jobId?: number | null;
  @IsOptional() @IsISO8601() modifiedOn?: string | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => InventoryBillItemDto) items!: InventoryBillItemDto[];
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
