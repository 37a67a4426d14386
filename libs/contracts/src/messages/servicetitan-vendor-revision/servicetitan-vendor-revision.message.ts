import { IsBoolean, IsInt, IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';

export const ST_VENDOR_REVISION = 'servicetitan.vendor.revision';

export class ServiceTitanVendorRevisionV1 {
  @IsInt() vendorId!: number;
  @IsString() name!: string;
  @IsBoolean() active!: boolean;
  @IsISO8601() modifiedOn!: string;
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
