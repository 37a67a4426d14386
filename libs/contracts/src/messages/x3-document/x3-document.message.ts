import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../validation/decimal-string.decorator';

export const X3_DOCUMENT_STATE = 'x3.document.state';
export const X3_DOCUMENT_SCAN = 'x3.document.scan';

export const X3_DOCUMENT_KINDS = ['journal-entry', 'supplier-invoice'] as const;
export type X3DocumentKind = (typeof X3_DOCUMENT_KINDS)[number];

/** One line of a document as Sage X3 holds it (journal entry: GACCENTRYD; supplier invoice: PINVOICED). */
export class X3DocumentLineDto {
  @IsInt() @Min(1) lineNo!: number;
  @IsOptional() @IsString() account?: string | null;
  @IsOptional() @IsString() costCenter?: string | null;
  @IsOptional() @IsString() dimensionType?: string | null;
  /** From X3's sign (SNS 1 debit, -1 credit); supplier invoice lines are debits. */
  @IsIn(['debit', 'credit']) side!: 'debit' | 'credit';
  /** Positive amount in the document currency (invoice lines: quantity × net price). */
  @IsDecimalString() amount!: string;
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsString() purchaseOrder?: string | null;
  @IsOptional() @IsInt() purchaseOrderLine?: number | null;
  @IsOptional() @IsString() product?: string | null;
  @IsOptional() @IsDecimalString() quantity?: string | null;
  @IsOptional() @IsDecimalString() netPrice?: string | null;
}

/**
 * What Sage X3 holds of a document the connector posted, or of one carrying the connector's external reference,
 * read back by the x3-poller (`$query` + `$details`) and published on the compacted `x3.document.v1` topic (key
 * `tenant:kind:documentNumber`). `present: false` says X3 no longer has (or never had) a document the connector's
 * posted ledger names. Reconciliation compares this with what the connector requested.
 */
export class X3DocumentStateV1 {
  @IsIn(X3_DOCUMENT_KINDS as unknown as string[]) documentKind!: X3DocumentKind;
  /** X3 document number (NUM), as posting results and the posted ledger carry it. */
  @IsString() documentNumber!: string;
  /** The X3 key (`TYP~NUM` for journal entries), for `$details`. */
  @IsOptional() @IsString() x3Key?: string | null;
  /** The connector's external reference: read from the document (REF) or, where X3 has no reference field, the ledger's. */
  @IsOptional() @IsString() externalRef?: string | null;
  @IsIn(['x3', 'ledger']) referenceFrom!: 'x3' | 'ledger';
  /** Whether the x3-poster's ledger names this external reference (false: a document the connector has no record of). */
  @IsBoolean() inLedger!: boolean;
  @IsBoolean() present!: boolean;
  /** Why a document is not present: deleted (read before, gone now) or not-found (the ledger names it, X3 never showed it). */
  @IsOptional() @IsIn(['deleted', 'not-found']) absence?: 'deleted' | 'not-found' | null;
  /** journal entries: temporary | final; supplier invoices: unmatched | matched (STA 2, validated by AP). */
  @IsOptional() @IsString() status?: string | null;
  /** The raw X3 status value (STA). */
  @IsOptional() @IsString() x3Status?: string | null;
  /** YYYY-MM-DD (ACCDAT): the period the document lands in. */
  @IsOptional() @IsISO8601() accountingDate?: string | null;
  @IsOptional() @IsString() currency?: string | null;
  @IsOptional() @IsString() site?: string | null;
  /** Journal entries: the total of debits; supplier invoices: the control total (AMTNOT). */
  @IsOptional() @IsDecimalString() amount?: string | null;
  @IsOptional() @IsString() supplier?: string | null;
  @IsOptional() @IsString() supplierInvoiceNumber?: string | null;
  @IsArray() @ValidateNested({ each: true }) @Type(() => X3DocumentLineDto) lines!: X3DocumentLineDto[];
  /** X3 update stamp (UPDDATTIM) of what was read. */
  @IsOptional() @IsISO8601() x3UpdatedAt?: string | null;
  /** When the poller read it. */
  @IsISO8601() readAt!: string;
}

/**
 * The end of one read-back scan of a tenant's documents of a kind (key `tenant:scan:kind:mode`, same topic): how
 * current "what X3 holds" is. A full scan also looked for deletions and for ledger entries X3 does not have.
 */
export class X3DocumentScanV1 {
  @IsIn(X3_DOCUMENT_KINDS as unknown as string[]) documentKind!: X3DocumentKind;
  @IsIn(['incremental', 'full']) mode!: 'incremental' | 'full';
  @IsISO8601() startedAt!: string;
  @IsISO8601() completedAt!: string;
  /** Documents read from X3 in this scan. */
  @IsInt() @Min(0) read!: number;
  /** Read-back states published (new or changed). */
  @IsInt() @Min(0) published!: number;
  /** Documents published as absent in this scan. */
  @IsInt() @Min(0) absent!: number;
}
