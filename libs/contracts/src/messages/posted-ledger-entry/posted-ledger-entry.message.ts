import { IsIn, IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';

export const POSTED_LEDGER_ENTRY = 'connector.posted-ledger.entry';

/** x3-poster's own ledger (key tenant:externalRef): what has been posted, so redelivery never re-posts. */
export class PostedLedgerEntryV1 {
  @IsString() externalRef!: string;
  @IsIn(['journal-entry', 'supplier-invoice']) documentKind!: 'journal-entry' | 'supplier-invoice';
  @IsString() x3DocumentNumber!: string;
  @IsISO8601() postedAt!: string;
  /**
   * The X3 fields the document is found by and their values (e.g. `{ BPR: 'SUP001', BPRVCR: 'ST-BILL-880' }` for a
   * supplier invoice, which has no REF): how the x3-poller recognises the connector's documents when it reads
   * their status. Absent in entries written before it existed.
   */
  @IsOptional() @IsObject() lookupValues?: Record<string, string>;
}
