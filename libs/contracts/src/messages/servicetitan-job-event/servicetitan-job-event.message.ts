import { Type } from 'class-transformer';
import { IsArray, IsIn, IsISO8601, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_JOB_EVENT = 'servicetitan.job.event';
export const JOB_EVENT_KINDS = ['created', 'updated', 'completed', 'canceled'] as const;

export class JobInvoiceItemDto {
  @IsEntityId() id!: number;
  @IsOptional() @IsString() description?: string | null;
  @IsString() type!: string;
  @IsOptional() @IsEntityId() skuId?: number | null;
  @IsOptional() @IsString() skuName?: string | null;
  @IsDecimalString() quantity!: string;
  @IsDecimalString() cost!: string;
  @IsDecimalString() totalCost!: string;
  @IsOptional() @IsDecimalString() total?: string | null;
  @IsOptional() @IsString() costOfSaleAccount?: string | null;
  @IsOptional() @IsString() generalLedgerAccount?: string | null;
  @IsOptional() @IsEntityId() technicianId?: number | null;
}

export class JobInvoiceDto {
  @IsEntityId() id!: number;
  @IsOptional() @IsString() number?: string | null;
  @IsOptional() @IsDecimalString() total?: string | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => JobInvoiceItemDto) items!: JobInvoiceItemDto[];
}

/** A ServiceTitan job event, normalised by the webhook-gateway from a webhook or the export catch-up. */
export class ServiceTitanJobEventV1 {
  @IsIn(JOB_EVENT_KINDS as unknown as string[]) event!: (typeof JOB_EVENT_KINDS)[number];
  @IsEntityId() jobId!: number;
  @IsOptional() @IsString() jobNumber?: string | null;
  @IsString() jobStatus!: string;
  @IsOptional() @IsISO8601() completedOn?: string | null;
  @IsOptional() @IsEntityId() businessUnitId?: number | null;
  @IsOptional() @IsString() businessUnitName?: string | null;
  @IsOptional() @IsEntityId() jobTypeId?: number | null;
  @IsISO8601() modifiedOn!: string;
  /** ServiceTitan event id (webhooks) or `export:<jobId>:<modifiedOn>` (pull); the dedupe key. */
  @IsString() sourceEventId!: string;
  @IsOptional() @ValidateNested() @Type(() => JobInvoiceDto) invoice?: JobInvoiceDto | null;
  /** The untouched source record, for audit and for fields the contract does not name yet. */
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
