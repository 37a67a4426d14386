import {
  createCausedEnvelope,
  MessageEnvelope,
  POSTED_LEDGER_ENTRY,
  PostedLedgerEntryV1,
  Topics,
} from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';
import { Injectable } from '@nestjs/common';

export interface LedgerEntry {
  documentKind: PostedLedgerEntryV1['documentKind'];
  x3DocumentNumber: string;
  postedAt: string;
}

/** Compacted-topic key of a ledger entry. */
export function ledgerKey(tenant: string, externalRef: string): string {
  return `${tenant}:${externalRef}`;
}

/**
 * The posted-documents ledger: every external reference this deployment posted (or found already in X3), kept in the
 * compacted topic connector.posted-ledger.v1 (key tenant:externalRef) and mirrored in memory by a state view: read
 * in full at start (ready only then; readiness check `view:posted-ledger`), kept current with other instances'
 * entries, and our own entries visible as soon as the broker acknowledged them.
 */
@Injectable()
export class PostedLedgerService {
  private readonly view: CompactedTopicView<LedgerEntry>;

  constructor(views: StateViews) {
    this.view = views.open({
      topic: Topics.PostedLedger,
      name: 'posted-ledger',
      decode: (env): LedgerEntry => {
        const { documentKind, x3DocumentNumber, postedAt } = env.payload as PostedLedgerEntryV1;
        return { documentKind, x3DocumentNumber, postedAt };
      },
    });
  }

  isCaughtUp(): boolean {
    return this.view.isReady();
  }

  /** Resolves once the ledger has been read up to the end offsets seen at start. */
  ready(): Promise<void> {
    return this.view.ready();
  }

  get(tenant: string, externalRef: string): LedgerEntry | undefined {
    return this.view.get(ledgerKey(tenant, externalRef));
  }

  size(): number {
    return this.view.size;
  }

  /** Writes an entry (acknowledged by all in-sync replicas) and remembers it locally. */
  async record(cause: MessageEnvelope<unknown>, entry: PostedLedgerEntryV1): Promise<void> {
    const envelope = createCausedEnvelope<PostedLedgerEntryV1>(cause, {
      type: POSTED_LEDGER_ENTRY,
      source: 'poster',
      payload: entry,
    });
    await this.view.put(ledgerKey(cause.tenant, entry.externalRef), envelope);
  }
}
