import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Min } from 'class-validator';

export const ST_WRITE_BACK_STATE = 'servicetitan.write-back.state';

/**
 * One ServiceTitan write-back (mark as exported), on the compacted `connector.servicetitan.write-back.v1` (key
 * `<tenant>:<entity>:<id>`): pending until ServiceTitan confirmed it, retried with backoff, then done or failed.
 * Every state change is a message, so the audit trail shows each attempt.
 */
export class WriteBackStateV1 {
  @IsIn(['invoice', 'inventory-bill']) entity!: 'invoice' | 'inventory-bill';
  @IsInt() @Min(1) id!: number;
  @IsString() x3DocumentNumber!: string;
  @IsString() externalRef!: string;
  @IsOptional() @IsString() externalMessage?: string | null;
  @IsIn(['pending', 'done', 'failed']) status!: 'pending' | 'done' | 'failed';
  @IsInt() @Min(0) attempts!: number;
  @IsOptional() @IsString() lastError?: string | null;
  /** Earliest time of the next attempt (pending only). */
  @IsOptional() @IsISO8601() nextAttemptAt?: string | null;
  @IsISO8601() updatedAt!: string;
}
