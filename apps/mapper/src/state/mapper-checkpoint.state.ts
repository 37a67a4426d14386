import { JournalEntryLineDto } from '@connector/contracts';
import { validateDto } from '@connector/util';
import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/** The mapper's streams on the checkpoint topic (key `<tenant>:mapper:<stream>`). */
export const MAPPER_CHECKPOINT_OWNER = 'mapper';
export type JobOutcome = 'requested' | 'rejected' | 'reversed' | 'ignored' | 'held' | 'settling';
const JOB_OUTCOMES: JobOutcome[] = ['requested', 'rejected', 'reversed', 'ignored', 'held', 'settling'];

/** `{ "<record key>": "<source modifiedOn>" }`: the versions of the records the last decision used. */
function SourceVersions(): PropertyDecorator {
  return ValidateBy({
    name: 'sourceVersions',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        Object.values(v).every((m) => typeof m === 'string' && !Number.isNaN(Date.parse(m))),
      defaultMessage: () => '$path must map record keys to ISO dates',
    },
  });
}

class PostedEntryDto {
  @IsString() accountingDate!: string;
  @IsString() description!: string;
  @IsOptional() @IsString() entryType?: string;
  @IsOptional() @IsString() journal?: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => JournalEntryLineDto) lines!: JournalEntryLineDto[];
}

/**
 * What the mapper remembers about one job: enough to dedupe, and to reverse exactly what it requested. The audit trail
 * reads `lastOutcome` and `postedRef` (bills: `requestedRef`) of each write as the mapper's decision on the job
 * (docs/audit-service.md, rule 2c): keep their meaning when changing this format.
 */
export class JobCheckpointState {
  @Equals('job') kind!: 'job';
  /** Incremented on every write (part of the stored format). */
  @IsInt() @Min(0) version!: number;
  /** Last revision number used in a journal entry request (0 = none yet). */
  @IsInt() @Min(0) revision!: number;
  /** Content hash of the entry currently in effect (requested and not reversed). */
  @ValidateIf((_, v) => v !== null) @IsString() contentHash: string | null = null;
  @ValidateIf((_, v) => v !== null) @IsString() postedRef: string | null = null;
  /**
   * The entry in effect: what was requested last (reverse-and-repost), or the sum of everything requested for the job
   * (adjustment mode: each change posts the difference to this).
   */
  @ValidateIf((_, v) => v !== null) @ValidateNested() @Type(() => PostedEntryDto) posted: PostedEntryDto | null = null;
  @IsIn(JOB_OUTCOMES) lastOutcome!: JobOutcome;
  /** Source versions of the last decision's inputs: an older version arriving later is ignored (issue 10). */
  @IsOptional() @IsObject() @SourceVersions() sources?: Record<string, string>;
  /** The backfill request that released this job from before the go-live date. */
  @IsOptional() @IsString() releasedBy?: string | null;
  /** Hash of the last rejection's reasons and inputs: the same rejection is not published twice. */
  @IsOptional() @IsString() rejectionHash?: string | null;
  /** Before issue 14: webhook event ids seen (no longer used; accepted so older states stay readable). */
  @IsOptional() @IsArray() @IsString({ each: true }) seenEventIds?: string[];
}

export type BillOutcome = 'requested' | 'rejected' | 'voided' | 'ignored' | 'held';
const BILL_OUTCOMES: BillOutcome[] = ['requested', 'rejected', 'voided', 'ignored', 'held'];

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
  /** Source modifiedOn of the newest revision seen: an older one arriving later is stale. */
  @IsOptional() @IsString() sourceModifiedOn?: string | null;
  @IsOptional() @IsString() releasedBy?: string | null;
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
    lastOutcome: 'ignored',
    sources: {},
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
