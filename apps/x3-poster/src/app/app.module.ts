import { connectorAppImports, provideConsumerGroup } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { PostedLedgerService } from '../ledger/posted-ledger.service';
import {
  JOURNAL_ENTRY_GROUP,
  postingGroupSettings,
  PostingRequestsConsumer,
  SUPPLIER_INVOICE_GROUP,
} from '../posting/posting-requests.consumer';
import { X3PostingService } from '../posting/x3-posting.service';
import { SageX3ClientsRegistry } from '../x3/sage-x3-clients.registry';
import { X3PosterEnv } from './x3-poster.env';

export const APP_NAME = 'x3-poster';

@Module({})
export class AppModule {
  static forRoot(env: X3PosterEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: true })],
      controllers: [PostingRequestsConsumer],
      providers: [
        { provide: X3PosterEnv, useValue: env },
        SageX3ClientsRegistry,
        PostedLedgerService,
        X3PostingService,
        provideConsumerGroup(JOURNAL_ENTRY_GROUP, postingGroupSettings, [X3PosterEnv]),
        provideConsumerGroup(SUPPLIER_INVOICE_GROUP, postingGroupSettings, [X3PosterEnv]),
      ],
    };
  }
}
