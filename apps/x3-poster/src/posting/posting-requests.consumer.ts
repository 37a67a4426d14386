import { JournalEntryRequestedV1, SupplierInvoiceRequestedV1, Topics } from '@connector/contracts';
import { BusContext, ConsumerGroupSettings } from '@connector/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { X3PosterEnv } from '../app/x3-poster.env';
import { X3PostingService } from './x3-posting.service';

export const JOURNAL_ENTRY_GROUP = 'x3-poster.journal-entries';
export const SUPPLIER_INVOICE_GROUP = 'x3-poster.supplier-invoices';

/** Both request groups retry with the poster's policy; the last attempt publishes 'failed' (see X3PostingService). */
export function postingGroupSettings(env: X3PosterEnv): ConsumerGroupSettings {
  return {
    retry: {
      attempts: env.X3_POST_RETRY_ATTEMPTS,
      initialBackoffMs: env.X3_POST_RETRY_INITIAL_BACKOFF_MS,
      maxBackoffMs: env.X3_POST_RETRY_MAX_BACKOFF_MS,
    },
    partitionConcurrency: env.X3_POSTER_PARTITIONS_CONCURRENCY,
  };
}

/** Journal entries (GACCENTRY) and supplier invoices (PINVOICE) to post, one consumer group each. */
@Controller()
export class PostingRequestsConsumer {
  constructor(private readonly posting: X3PostingService) {}

  @EventPattern(Topics.JournalEntryRequested, { group: JOURNAL_ENTRY_GROUP })
  onJournalEntry(@Ctx() ctx: BusContext<JournalEntryRequestedV1>): Promise<void> {
    return this.posting.handle('journal-entry', ctx);
  }

  @EventPattern(Topics.SupplierInvoiceRequested, { group: SUPPLIER_INVOICE_GROUP })
  onSupplierInvoice(@Ctx() ctx: BusContext<SupplierInvoiceRequestedV1>): Promise<void> {
    return this.posting.handle('supplier-invoice', ctx);
  }
}
