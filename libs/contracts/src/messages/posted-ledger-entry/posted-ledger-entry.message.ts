import { IsIn, IsISO8601, IsString } from 'class-validator';

export const POSTED_LEDGER_ENTRY = 'connector.posted-ledger.entry';

/** x3-poster's own ledger (key tenant:externalRef): what has been posted, so redelivery never re-posts. */
export class PostedLedgerEntryV1 {
  @IsString() externalRef!: string;
  @IsIn(['journal-entry', 'supplier-invoice']) documentKind!: 'journal-entry' | 'supplier-invoice';
  @IsString() x3DocumentNumber!: string;
  @IsISO8601() postedAt!: string;
}
