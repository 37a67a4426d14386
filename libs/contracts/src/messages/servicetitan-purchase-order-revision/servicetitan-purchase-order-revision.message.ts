import { Type } from 'class-transformer';
import { IsArray, IsISO8601, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_PURCHASE_ORDER_REVISION = 'servicetitan.purchase-order.revision';

export class PurchaseOrderItemDto {
  @IsEntityId() id!: number;
  @IsEntityId() skuId!: number;
  @IsOptional() @IsString() skuCode?: string | null;
  @IsOptional() @IsString() vendorPartNumber?: string | null;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() quantityReceived!: string;
  @IsDecimalString() cost!: string;
  @IsDecimalString() total!: string;
  @IsOptional() @IsString() status?: string | null;
}

export class ServiceTitanPurchaseOrderRevisionV1 {
  @IsEntityId() purchaseOrderId!: number;
  @IsString() number!: string;
  @IsString() status!: string;
  @IsEntityId() vendorId!: number;
  @IsOptional() @IsEntityId() jobId?: number | null;
  @IsOptional() @IsEntityId() businessUnitId?: number | null;
  @IsDecimalString() total!: string;
  @IsISO8601() modifiedOn!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => PurchaseOrderItemDto) items!: PurchaseOrderItemDto[];
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
