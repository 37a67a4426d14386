import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { IsDateOnly } from '../../validation/date-only.decorator';

export const ST_BACKFILL_COMMAND = 'servicetitan.command.backfill';

/**
 * `npm run backfill`: load the tenant's records of a window before its go-live date, report what would be posted and,
 * unless dryRun, post it. On `connector.servicetitan.command.v1` (key tenant), executed by the tenant's owner.
 */
export class BackfillCommandV1 {
  @IsString() requestId!: string;
  /** Business dates, inclusive. */
  @IsDateOnly() from!: string;
  @IsDateOnly() to!: string;
  @IsBoolean() dryRun!: boolean;
  @IsOptional() @IsString() requestedBy?: string | null;
}
