import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { IsEntityId, MAX_REVISION } from '../../validation/entity-id.decorator';

export const ST_INVENTORY_BILL_REVISION = 'servicetitan.inventory-bill.revision';

export class InventoryBillItemDto {
  @IsEntityId() id!: number;
  @IsInt() order!: number;
  @IsOptional() @IsString() name?: string | null;
  @IsOptional() @IsString() description?: string | null;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() cost!: string;
  @IsEntityId() skuId!: number;
  @IsOptional() @IsString() skuCode?: string | null;
  @IsOptional() @IsString() skuType?: string | null;
  @IsOptional() @IsEntityId() receiptItemId?: number | null;
}

/**
 * One revision of a ServiceTitan inventory bill. A new revision is published whenever the pull sees a
 * changed `modifiedOn` or content hash; `voided` marks a bill that disappeared or was zeroed/cancelled.
 */
export class ServiceTitanInventoryBillRevisionV1 {
  @IsEntityId() billId!: number;
  /** Monotonic per bill (1, 2, 3…): part of the X3 external reference. */
  @IsInt() @Min(1) @Max(MAX_REVISION) revision!: number;
  /** sha256 of the normalised content; equal hashes are not new revisions. */
  @IsString() contentHash!: string;
  @IsBoolean() voided!: boolean;
  @IsOptional() @IsEntityId() purchaseOrderId?: number | null;
  @IsOptional() @IsString() referenceNumber?: string | null;
  @IsOptional() @IsString() vendorNumber?: string | null;
  @IsOptional() @IsEntityId() vendorId?: number | null;
  @IsOptional() @IsString() vendorName?: string | null;
  @IsOptional() @IsISO8601() billDate?: string | null;
  @IsDecimalString() billAmount!: string;
  @IsDecimalString() taxAmount!: string;
  @IsDecimalString() shippingAmount!: string;
  @IsOptional() @IsEntityId() businessUnitId?: number | null;
  @IsOptional() @IsString() businessUnitName?: string | null;
  @IsOptional() @IsEntityId() jobId?: number | null;
  @IsOptional() @IsISO8601() modifiedOn?: string | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => InventoryBillItemDto) items!: InventoryBillItemDto[];
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
