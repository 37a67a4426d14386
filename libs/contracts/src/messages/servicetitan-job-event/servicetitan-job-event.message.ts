import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

export const ST_JOB_EVENT = 'servicetitan.job.event';
export const JOB_EVENT_KINDS = ['created', 'updated', 'completed', 'canceled'] as const;

export class JobInvoiceItemDto {
  @IsInt() id!: number;
  @IsOptional() @IsString() description?: string | null;
  @IsString() type!: string;
  @IsOptional() @IsInt() skuId?: number | null;
  @IsOptional() @IsString() skuName?: string | null;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() cost!: string;
  @IsDecimalString() totalCost!: string;
  @IsOptional() @IsDecimalString() total?: string | null;
  @IsOptional() @IsString() costOfSaleAccount?: string | null;
  @IsOptional() @IsString() generalLedgerAccount?: string | null;
  @IsOptional() @IsInt() technicianId?: number | null;
}

export class JobInvoiceDto {
  @IsInt() id!: number;
  @IsOptional() @IsString() number?: string | null;
  @IsOptional() @IsDecimalString() total?: string | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => JobInvoiceItemDto) items!: JobInvoiceItemDto[];
}

/** A ServiceTitan job event, normalised by the webhook-gateway from a webhook or the export catch-up. */
export class ServiceTitanJobEventV1 {
  @IsIn(JOB_EVENT_KINDS as unknown as string[]) event!: (typeof JOB_EVENT_KINDS)[number];
  @IsInt() jobId!: number;
  @IsOptional() @IsString() jobNumber?: string | null;
  @IsString() jobStatus!: string;
  @IsOptional() @IsISO8601() completedOn?: string | null;
  @IsOptional() @IsInt() businessUnitId?: number | null;
  @IsOptional() @IsString() businessUnitName?: string | null;
  @IsOptional() @IsInt() jobTypeId?: number | null;
  @IsISO8601() modifiedOn!: string;
  /** ServiceTitan event id (webhooks) or `export:<jobId>:<modifiedOn>` (pull); the dedupe key. */
  @IsString() sourceEventId!: string;
  @IsOptional() @ValidateNested() @Type(() => JobInvoiceDto) invoice?: JobInvoiceDto | null;
  /** The untouched source record, for audit and for fields the contract does not name yet. */
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
