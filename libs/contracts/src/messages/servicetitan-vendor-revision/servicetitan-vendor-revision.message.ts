import { IsBoolean, IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_VENDOR_REVISION = 'servicetitan.vendor.revision';

export class ServiceTitanVendorRevisionV1 {
  @IsEntityId() vendorId!: number;
  @IsString() name!: string;
  @IsBoolean() active!: boolean;
  @IsISO8601() modifiedOn!: string;
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
