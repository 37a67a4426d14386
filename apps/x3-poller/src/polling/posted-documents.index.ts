import { PostedLedgerEntryV1, Topics } from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';

interface PostedDocument {
  tenant: string;
  externalRef: string;
  documentKind: PostedLedgerEntryV1['documentKind'];
  x3DocumentNumber: string;
  lookupValues?: Record<string, string>;
}

/** `BPR=SUP001|BPRVCR=INV-77`: the same key whatever order the fields come in. */
export function lookupKey(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${k}=${values[k]}`)
    .join('|');
}

/**
 * The documents the poster recorded in its ledger (connector.posted-ledger.v1, this deployment's tenants), indexed
 * by their lookup values and their X3 number: how the poller recognises the connector's supplier invoices, which
 * carry no external reference in X3 (found by supplier + supplier invoice number). Entries written before the
 * ledger carried lookup values are still found by document number.
 */
export class PostedDocumentsIndex {
  private readonly view: CompactedTopicView<PostedDocument>;
  private readonly byLookup = new Map<string, string>();
  private readonly byNumber = new Map<string, string>();

  constructor(views: StateViews, tenants: Set<string>) {
    this.view = views.open({
      topic: Topics.PostedLedger,
      name: 'posted-documents',
      filter: (envelope) => tenants.has(envelope.tenant),
      decode: (envelope): PostedDocument => {
        const p = envelope.payload as PostedLedgerEntryV1;
        return {
          tenant: envelope.tenant,
          externalRef: p.externalRef,
          documentKind: p.documentKind,
          x3DocumentNumber: p.x3DocumentNumber,
          lookupValues: p.lookupValues,
        };
      },
    });
    this.view.onChange(({ value }) => {
      if (!value) return; // ledger entries are never deleted
      const scope = `${value.tenant}|${value.documentKind}`;
      if (value.lookupValues) this.byLookup.set(`${scope}|${lookupKey(value.lookupValues)}`, value.externalRef);
      if (value.x3DocumentNumber) this.byNumber.set(`${scope}|${value.x3DocumentNumber}`, value.externalRef);
    });
  }

  ready(signal?: AbortSignal): Promise<void> {
    return this.view.ready(signal);
  }

  /** The external reference of the connector's document with these lookup values (else this number), if any. */
  externalRef(
    tenant: string,
    kind: PostedLedgerEntryV1['documentKind'],
    lookup: Record<string, string>,
    number: string,
  ): string | undefined {
    const scope = `${tenant}|${kind}`;
    return this.byLookup.get(`${scope}|${lookupKey(lookup)}`) ?? this.byNumber.get(`${scope}|${number}`);
  }
}
