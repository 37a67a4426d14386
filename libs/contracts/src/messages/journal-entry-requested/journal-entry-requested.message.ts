import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { MAX_REVISION } from '../../validation/entity-id.decorator';

export const JOURNAL_ENTRY_REQUESTED = 'connector.journal-entry.requested';

/** Cost kinds of a journal line: the mapping rules' cost kinds, and `offset` for the balancing lines. */
export const JOURNAL_LINE_COST_KINDS = ['labor', 'material', 'equipment', 'other', 'offset'] as const;
export type JournalLineCostKind = (typeof JOURNAL_LINE_COST_KINDS)[number];

export class SourceRecordRefDto {
  @IsIn(['job', 'inventory-bill', 'purchase-order', 'vendor']) kind!:
    | 'job'
    | 'inventory-bill'
    | 'purchase-order'
    | 'vendor';
  @IsString() id!: string;
  @IsInt() @Min(1) @Max(MAX_REVISION) revision!: number;
}

export class JournalEntryLineDto {
  @IsString() account!: string;
  @IsIn(['debit', 'credit']) side!: 'debit' | 'credit';
  /** Positive amount in transaction currency. */
  @IsDecimalString() amount!: string;
  @IsOptional() @IsString() costCenter?: string | null;
  @IsOptional() @IsString() dimensionType?: string | null;
  @IsOptional() @IsString() description?: string | null;
  /**
   * What the line represents, for reconciliation by cost kind: a cost (labor, material, equipment, other — the cost
   * kinds of the mapping rules; equipment and other only from version 2 rules) or its offset.
   */
  @IsIn(JOURNAL_LINE_COST_KINDS) costKind!: JournalLineCostKind;
}

/** A balanced GL journal entry to post to Sage X3 (GACCENTRY). */
export class JournalEntryRequestedV1 {
  /** Deterministic: tenant + source kind + id + revision (+ "R" for a reversal). X3 REF field. */
  @IsString() @Matches(/^[A-Za-z0-9:_.-]{1,60}$/) externalRef!: string;
  @ValidateNested() @Type(() => SourceRecordRefDto) source!: SourceRecordRefDto;
  @IsString() site!: string;
  @IsString() entryType!: string;
  @IsString() journal!: string;
  @IsISO8601() accountingDate!: string;
  @IsString() @Matches(/^[A-Z]{3}$/) currency!: string;
  @IsString() description!: string;
  @IsArray()
  @ArrayMinSize(2)
  @ValidateNested({ each: true })
  @Type(() => JournalEntryLineDto)
  lines!: JournalEntryLineDto[];
  /** Set when this entry reverses an earlier posting (corrections). */
  @IsOptional() @IsString() reversalOf?: string | null;
}
