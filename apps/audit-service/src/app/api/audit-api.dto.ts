import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { isStorableText, storableTimestamp } from '../database/storable-text';
import { RECORD_STATUSES } from '../ingest/status-derivation';

/** Deepest page the API serves (offset + limit); deeper paging is a filter's job. */
export const MAX_OFFSET = 1_000_000;

const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;
/** Only real booleans and "true"/"false"/"1"/"0": anything else stays as it is and fails @IsBoolean (never a silent false). */
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
/** Query integers as plain digits only: "1e30", "0x10", " 5", "5.0" stay strings and fail @IsInt with a reason. */
const toQueryInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

/** Text PostgreSQL can hold: no NUL, no unpaired UTF-16 surrogates (`%00` in a query string decodes to NUL). */
function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (v: unknown) => typeof v !== 'string' || isStorableText(v),
        defaultMessage: (a) => `${a?.property} must not contain NUL characters or unpaired surrogates`,
      },
    },
    options,
  );
}

/** An ISO date or timestamp between years 1 and 9999 (what PostgreSQL's timestamptz holds). */
function IsStorableTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableTimestamp',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && storableTimestamp(v) !== null,
        defaultMessage: (a) => `${a?.property} must be a date or timestamp between years 1 and 9999`,
      },
    },
    options,
  );
}

export class RecordFilterDto {
  @ApiPropertyOptional({ description: 'Tenant slug (admin only; a tenant token always sees its own tenant)' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/)
  tenant?: string;
  @ApiPropertyOptional({
    description: 'Record kind: job, inventory-bill, purchase-order, vendor, appointment, operator-notice, x3-*',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @IsStorableText()
  kind?: string;
  @ApiPropertyOptional({ description: `Comma-separated statuses: ${RECORD_STATUSES.join(', ')}`, type: String })
  @IsOptional()
  @Transform(toList)
  @IsIn(RECORD_STATUSES as unknown as string[], { each: true })
  status?: string[];
  @ApiPropertyOptional({ description: 'Last activity at or after (ISO date or timestamp)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsStorableTimestamp()
  from?: string;
  @ApiPropertyOptional({ description: 'Last activity at or before (ISO date or timestamp)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsStorableTimestamp()
  to?: string;
  @ApiPropertyOptional({ description: 'Free text: source id, summary, external reference, X3 document number, reason' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  q?: string;
}

export class ListRecordsQueryDto extends RecordFilterDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Transform(toQueryInt)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @Transform(toQueryInt)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}

export class ReplayRecordDto {
  @ApiProperty({ description: 'Why (kept in the audit trail and in the x-replay-reason header)' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  @IsStorableText()
  reason!: string;
}

export class BulkReplayDto {
  @ApiProperty({
    description: 'Which failures (status limited to rejected, failed, dead-lettered)',
    type: RecordFilterDto,
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => RecordFilterDto)
  filter!: RecordFilterDto;
  @ApiProperty({ description: 'Why (kept in the audit trail)' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  @IsStorableText()
  reason!: string;
  @ApiPropertyOptional({ description: 'true: count the matching failures and publish nothing', default: false })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  dryRun?: boolean;
}

export class RecordDto {
  @ApiProperty() id!: string;
  @ApiProperty() tenant!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() sourceId!: string;
  @ApiProperty({ nullable: true, type: Number }) revision!: number | null;
  @ApiProperty({ enum: RECORD_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) statusReason!: string | null;
  @ApiProperty({ nullable: true, type: 'array', items: { type: 'object' } }) reasons!: Array<{
    code: string;
    message: string;
  }> | null;
  @ApiProperty({ nullable: true, type: String }) summary!: string | null;
  @ApiProperty({ nullable: true, type: String }) businessDate!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'decimal string' }) sourceAmount!: string | null;
  @ApiProperty({ nullable: true, type: String }) externalRef!: string | null;
  @ApiProperty({ nullable: true, type: String }) documentKind!: string | null;
  @ApiProperty({ nullable: true, type: String }) x3DocumentNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) x3DocumentStatus!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'decimal string' }) requestedAmount!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'decimal string' }) postedAmount!: string | null;
  @ApiProperty({ nullable: true, type: String }) currency!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() messageCount!: number;
  @ApiProperty() firstSeenAt!: string;
  @ApiProperty() lastSeenAt!: string;
  @ApiProperty() statusAt!: string;
}

export class RecordPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [RecordDto] }) items!: RecordDto[];
}

export class TimelineEntryDto {
  @ApiProperty({ enum: ['message', 'action'] }) type!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String }) topic!: string | null;
  @ApiProperty({ nullable: true, type: Number }) partition!: number | null;
  @ApiProperty({ nullable: true, type: String }) offset!: string | null;
  @ApiProperty({ nullable: true, type: String }) messageId!: string | null;
  @ApiProperty({ nullable: true, type: String }) messageType!: string | null;
  @ApiProperty({ nullable: true, type: String }) status!: string | null;
  @ApiProperty({ nullable: true, type: String }) statusReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
  @ApiProperty({ nullable: true, type: String }) causationId!: string | null;
  @ApiProperty({ nullable: true, type: String }) replayId!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'string' } }) headers!: Record<
    string,
    string
  > | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'The envelope JSON (null after payload retention)',
  })
  payload!: unknown;
  @ApiProperty() payloadPurged!: boolean;
  @ApiProperty({
    description:
      'true: the message held text PostgreSQL cannot store (NUL, unpaired surrogates); payload/headers show it replaced by U+FFFD',
  })
  sanitised!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Exact bytes (base64) of a sanitised message' })
  rawBase64!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'Exact key and headers of a sanitised message',
  })
  original!: { key: string | null; headers: Record<string, string> } | null;
  @ApiProperty({ nullable: true, type: String }) action!: string | null;
  @ApiProperty({ nullable: true, type: String }) actor!: string | null;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) outcome!: string | null;
}

export class RecordTimelineDto {
  @ApiProperty({ type: RecordDto }) record!: RecordDto;
  @ApiProperty({ type: [TimelineEntryDto] }) timeline!: TimelineEntryDto[];
}

export class FailureReasonDto {
  @ApiProperty() status!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() count!: number;
}

export class ReplayOutcomeDto {
  @ApiProperty() recordId!: string;
  @ApiProperty() replayId!: string;
  @ApiProperty({ enum: ['published', 'not-replayable', 'failed'] }) outcome!: string;
  @ApiProperty({ nullable: true, type: String }) topic!: string | null;
  @ApiProperty({ nullable: true, type: String }) originalMessageId!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class BulkReplayResultDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ description: 'Failures matching the filter' }) matched!: number;
  @ApiProperty({ description: 'At most this many are re-published per call (AUDIT_REPLAY_MAX_BATCH)' }) limit!: number;
  @ApiProperty({ type: [ReplayOutcomeDto] }) results!: ReplayOutcomeDto[];
}

export class PrincipalDto {
  @ApiProperty({ enum: ['admin', 'tenant'] }) role!: string;
  @ApiProperty({ nullable: true, type: String }) tenant!: string | null;
  @ApiProperty() actor!: string;
}
