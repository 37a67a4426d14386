import { BACKFILL_STATUS, BackfillStatusV1, Topics } from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';
import { Injectable } from '@nestjs/common';

interface Window {
  tenant: string;
  from: string;
  to: string;
}

/**
 * Backfill windows approved for posting (non-dry-run requests whose records were loaded), from the compacted
 * `connector.backfill.v1`: a record before the go-live date whose business date falls in one is mapped, also when it
 * arrives after the backfill ran.
 */
@Injectable()
export class BackfillWindowsState {
  private readonly view: CompactedTopicView<Window>;

  constructor(views: StateViews) {
    this.view = views.open({
      topic: Topics.Backfill,
      name: 'backfill-windows',
      filter: (e) => {
        if (e.type !== BACKFILL_STATUS) return false;
        const s = e.payload as BackfillStatusV1;
        return !s.dryRun && s.phase === 'loaded';
      },
      decode: (e) => {
        const s = e.payload as BackfillStatusV1;
        return { tenant: e.tenant, from: s.from, to: s.to };
      },
    });
  }

  ready(): Promise<void> {
    return this.view.ready();
  }

  approved(tenant: string, date: string): boolean {
    for (const w of this.view.values()) if (w.tenant === tenant && w.from <= date && date <= w.to) return true;
    return false;
  }
}
