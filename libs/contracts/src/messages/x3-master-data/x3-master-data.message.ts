import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsISO8601, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

/**
 * Sage X3 master data as the x3-poller publishes it to compacted topics (key tenant:code). `deleted`
 * records are followed by a tombstone-free "deleted" state so consumers learn of it (compaction keeps it).
 */
abstract class X3MasterRecord {
  @IsString() code!: string;
  @IsBoolean() active!: boolean;
  @IsBoolean() deleted!: boolean;
  /** X3 update stamp (UPDDATTIM / _updateStamp) of this state. */
  @IsISO8601() updatedAt!: string;
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}

export const X3_GL_ACCOUNT_STATE = 'x3.gl-account.state';
export class X3GlAccountStateV1 extends X3MasterRecord {
  @IsOptional() @IsString() description?: string | null;
  /** Dimension types the account requires or allows (X3 DIE), e.g. ["CCE"]. */
  @IsArray() @IsString({ each: true }) allowedDimensionTypes!: string[];
}

export const X3_COST_CENTER_STATE = 'x3.cost-center.state';
export class X3CostCenterStateV1 extends X3MasterRecord {
  @IsString() dimensionType!: string;
  @IsOptional() @IsString() description?: string | null;
}

export const X3_SUPPLIER_STATE = 'x3.supplier.state';
export class X3SupplierStateV1 extends X3MasterRecord {
  @IsOptional() @IsString() name?: string | null;
  @IsOptional() @IsString() currency?: string | null;
}

export const X3_PRODUCT_STATE = 'x3.product.state';
export class X3ProductStateV1 extends X3MasterRecord {
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsString() category?: string | null;
  @IsOptional() @IsString() stockUnit?: string | null;
}

export class X3PurchaseOrderLineDto {
  @IsInt() line!: number;
  @IsString() product!: string;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() netPrice!: string;
}

export const X3_PURCHASE_ORDER_STATE = 'x3.purchase-order.state';
export class X3PurchaseOrderStateV1 extends X3MasterRecord {
  @IsOptional() @IsString() site?: string | null;
  @IsString() supplier!: string;
  @IsOptional() @IsString() orderDate?: string | null;
  @IsOptional() @IsString() currency?: string | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => X3PurchaseOrderLineDto) lines!: X3PurchaseOrderLineDto[];
}
