import { IsBoolean, IsISO8601, IsOptional, IsString } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_GROSS_PAY_ITEM_RECORD = 'servicetitan.gross-pay-item.record';

/**
 * A payroll gross pay item of a job (labor cost), from the gross pay items export feed, on `servicetitan.records.v1`
 * with key `<tenant>:job:<jobId>:gross-pay-item:<id>`, partitioned by the job. Which items count as labor is the
 * tenant's rule (servicetitan.labor in the tenants file).
 */
export class ServiceTitanGrossPayItemRecordV1 {
  @IsEntityId() grossPayItemId!: number;
  @IsEntityId() jobId!: number;
  @IsBoolean() active!: boolean;
  /** TimesheetTime | InvoiceRelatedBonus | CustomBonus | Salary | Reimbursement. */
  @IsString() grossPayItemType!: string;
  @IsDecimalString() amount!: string;
  @IsOptional() @IsEntityId() employeeId?: number | null;
  @IsOptional() @IsEntityId() payrollId?: number | null;
  @IsISO8601() date!: string;
  @IsOptional() @IsString() paidTimeType?: string | null;
  @IsOptional() @IsDecimalString() paidDurationHours?: string | null;
  @IsOptional() @IsEntityId() invoiceId?: number | null;
  @IsISO8601() modifiedOn!: string;
  @IsString() contentHash!: string;
}
