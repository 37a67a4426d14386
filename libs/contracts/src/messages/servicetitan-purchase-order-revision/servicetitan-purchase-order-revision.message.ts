import { Type } from 'class-transformer';
import { IsArray, IsInt, IsISO8601, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

export const ST_PURCHASE_ORDER_REVISION = 'servicetitan.purchase-order.revision';

export class PurchaseOrderItemDto {
  @IsInt() id!: number;
  @IsInt() skuId!: number;
  @IsOptional() @IsString() skuCode?: string | null;
  @IsOptional() @IsString() vendorPartNumber?: string | null;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() quantityReceived!: string;
  @IsDecimalString() cost!: string;
  @IsDecimalString() total!: string;
  @IsOptional() @IsString() status?: string | null;
}

export class ServiceTitanPurchaseOrderRevisionV1 {
  @IsInt() purchaseOrderId!: number;
  @IsString() number!: string;
  @IsString() status!: string;
  @IsInt() vendorId!: number;
  @IsOptional() @IsInt() jobId?: number | null;
  @IsOptional() @IsInt() businessUnitId?: number | null;
  @IsDecimalString() total!: string;
  @IsISO8601() modifiedOn!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => PurchaseOrderItemDto) items!: PurchaseOrderItemDto[];
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
