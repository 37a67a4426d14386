import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class ReconciliationTenantQueryDto {
  @ApiPropertyOptional({ description: 'Tenant slug (required for the admin; a tenant token always gets its own)' })
  @IsOptional()
  @IsString()
  @Matches(TENANT, { message: 'tenant must be a tenant slug' })
  tenant?: string;
}

export class ReconciliationQueryDto extends ReconciliationTenantQueryDto {
  @ApiProperty({ description: 'Accounting period (month), YYYY-MM', example: '2026-11' })
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be a month, YYYY-MM' })
  period!: string;
}

export class X3DocumentParamsDto {
  @ApiProperty({ enum: ['journal-entry', 'supplier-invoice'] })
  @IsIn(['journal-entry', 'supplier-invoice'])
  kind!: 'journal-entry' | 'supplier-invoice';
  @ApiProperty({ description: 'X3 document number (NUM)' })
  @IsString()
  @MaxLength(60)
  number!: string;
}
