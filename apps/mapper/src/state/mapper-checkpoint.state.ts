import { JournalEntryLineDto } from '@connector/contracts';
import { validateDto } from '@connector/util';
import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/** The mapper's streams on the checkpoint topic (key `<tenant>:mapper:<stream>`). */
export const MAPPER_CHECKPOINT_OWNER = 'mapper';
/** How many source event ids each record remembers for dedupe (webhook re-deliveries + pull duplicates). */
export const SEEN_EVENT_IDS_KEPT = 25;

export type JobOutcome = 'requested' | 'rejected' | 'reversed' | 'ignored';
const JOB_OUTCOMES: JobOutcome[] = ['requested', 'rejected', 'reversed', 'ignored'];

class PostedEntryDto {
  @IsString() accountingDate!: string;
  @IsString() description!: string;
  @IsOptional() @IsString() entryType?: string;
  @IsOptional() @IsString() journal?: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => JournalEntryLineDto) lines!: JournalEntryLineDto[];
}

/** What the mapper remembers about one job: enough to dedupe, and to reverse exactly what it requested. */
export class JobCheckpointState {
  @Equals('job') kind!: 'job';
  /** Incremented on every write (part of the stored format). */
  @IsInt() @Min(0) version!: number;
  /** Last revision number used in a journal entry request (0 = none yet). */
  @IsInt() @Min(0) revision!: number;
  /** Content hash of the entry currently in effect (requested and not reversed). */
  @ValidateIf((_, v) => v !== null) @IsString() contentHash: string | null = null;
  @ValidateIf((_, v) => v !== null) @IsString() postedRef: string | null = null;
  @ValidateIf((_, v) => v !== null) @ValidateNested() @Type(() => PostedEntryDto) posted: PostedEntryDto | null = null;
  @IsArray() @IsString({ each: true }) seenEventIds!: string[];
  @IsIn(JOB_OUTCOMES) lastOutcome!: JobOutcome;
}

export type BillOutcome = 'requested' | 'rejected' | 'voided' | 'ignored';
const BILL_OUTCOMES: BillOutcome[] = ['requested', 'rejected', 'voided', 'ignored'];

export class BillCheckpointState {
  @Equals('bill') kind!: 'bill';
  @IsInt() @Min(0) version!: number;
  /** Source revision of the last supplier-invoice request (0 = none). */
  @IsInt() @Min(0) revision!: number;
  @ValidateIf((_, v) => v !== null) @IsString() contentHash: string | null = null;
  @ValidateIf((_, v) => v !== null) @IsString() requestedRef: string | null = null;
  /** Highest source revision seen, requested or not: older revisions arriving late are ignored. */
  @IsInt() @Min(0) lastSeenRevision!: number;
  @IsBoolean() voidNoted!: boolean;
  @IsIn(BILL_OUTCOMES) lastOutcome!: BillOutcome;
}

export type MapperCheckpointState = JobCheckpointState | BillCheckpointState;

/** Problems of a stored mapper state, field by field ("state.version must be an integer number"); [] when valid. */
export function validateMapperState(state: Record<string, unknown> | undefined): string[] {
  if (state?.['kind'] === 'job') return validateDto(JobCheckpointState, state, { root: 'state' }).problems;
  if (state?.['kind'] === 'bill') return validateDto(BillCheckpointState, state, { root: 'state' }).problems;
  return ['state.kind must be "job" or "bill"'];
}

export function jobStream(jobId: number | string): string {
  return `job:${jobId}`;
}
export function billStream(billId: number | string): string {
  return `bill:${billId}`;
}

export function emptyJobState(): JobCheckpointState {
  return {
    kind: 'job',
    version: 0,
    revision: 0,
    contentHash: null,
    postedRef: null,
    posted: null,
    seenEventIds: [],
    lastOutcome: 'ignored',
  };
}
export function emptyBillState(): BillCheckpointState {
  return {
    kind: 'bill',
    version: 0,
    revision: 0,
    contentHash: null,
    requestedRef: null,
    lastSeenRevision: 0,
    voidNoted: false,
    lastOutcome: 'ignored',
  };
}

export function rememberEventId(ids: string[], id: string): string[] {
  return [...ids.filter((x) => x !== id), id].slice(-SEEN_EVENT_IDS_KEPT);
}
