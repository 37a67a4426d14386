import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

export const DOCUMENT_STATUS = 'x3.document.status';

/** Reconciliation status of a document the connector posted, as the x3-poller reads it back from X3. */
export class DocumentStatusV1 {
  @IsIn(['journal-entry', 'supplier-invoice']) documentKind!: 'journal-entry' | 'supplier-invoice';
  @IsString() documentNumber!: string;
  @IsString() externalRef!: string;
  /** journal entries: temporary | final; supplier invoices: unmatched | matched; any: deleted. */
  @IsString() status!: string;
  @IsOptional() @IsDecimalString() amount?: string | null;
  @IsISO8601() updatedAt!: string;
}
