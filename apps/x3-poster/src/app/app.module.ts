import { connectorAppImports, provideConsumerGroup } from '@connector/messaging';
import { Clock } from '@connector/sage-x3';
import { SageX3RuntimeModule } from '@connector/sage-x3-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { PostedLedgerService } from '../ledger/posted-ledger.service';
import {
  JOURNAL_ENTRY_GROUP,
  postingGroupSettings,
  PostingRequestsConsumer,
  SUPPLIER_INVOICE_GROUP,
} from '../posting/posting-requests.consumer';
import { X3PostingService } from '../posting/x3-posting.service';
import { longestExternalRef } from '../posting/x3-reference';
import { X3PosterEnv } from './x3-poster.env';

export const APP_NAME = 'x3-poster';

export interface X3PosterAppOptions {
  /** Tests: the Sage X3 clients' clock (a simulator's), to run many token lifetimes in little real time. */
  x3Clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(env: X3PosterEnv, options: X3PosterAppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...connectorAppImports(APP_NAME, env, { tenants: true }),
        SageX3RuntimeModule.forRoot(env, {
          source: 'poster',
          entities: ['journalEntry', 'purchaseInvoice'],
          client: (e) => ({
            retry: {
              maxAttempts: env.X3_READ_RETRY_ATTEMPTS,
              baseDelayMs: env.X3_READ_RETRY_BASE_DELAY_MS,
              maxDelayMs: 5000,
            },
            createRecoverySettleMs: env.X3_CREATE_RECOVERY_SETTLE_MS,
            // Never more sockets than posts allowed in flight (+1 for a token refresh).
            maxSockets: env.X3_MAX_CONCURRENT_POSTS_PER_TENANT + 1,
            timeouts: { requestMs: e.X3_REQUEST_TIMEOUT_MS, tokenMs: e.X3_TOKEN_TIMEOUT_MS },
          }),
          // The longest reference the poster writes must fit the journal entry's reference field.
          sampleValues: (tenant, entity) =>
            entity === 'journalEntry'
              ? { reference: longestExternalRef(tenant.id, env.X3_REFERENCE_CHECK_ID_DIGITS) }
              : undefined,
          clock: options.x3Clock,
        }),
      ],
      controllers: [PostingRequestsConsumer],
      providers: [
        { provide: X3PosterEnv, useValue: env },
        PostedLedgerService,
        X3PostingService,
        provideConsumerGroup(JOURNAL_ENTRY_GROUP, postingGroupSettings, [X3PosterEnv]),
        provideConsumerGroup(SUPPLIER_INVOICE_GROUP, postingGroupSettings, [X3PosterEnv]),
      ],
    };
  }
}
