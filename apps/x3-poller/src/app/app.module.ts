import { connectorAppImports } from '@connector/messaging';
import { Clock } from '@connector/sage-x3';
import { SageX3RuntimeModule } from '@connector/sage-x3-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { GoLiveCheckController } from '../check/go-live-check.controller';
import { GoLiveCheckService } from '../check/go-live-check.service';
import { ResyncController } from '../polling/resync.controller';
import { X3PollService } from '../polling/x3-poll.service';
import { DocumentReadBackService } from '../readback/document-readback.service';
import { ReadBackController } from '../readback/readback.controller';
import { X3PollerEnv } from './x3-poller.env';

export const APP_NAME = 'x3-poller';

/** The entities the poller reads: master data, and the documents whose status it follows. */
export const X3_POLLER_ENTITIES = [
  'account',
  'costCenter',
  'supplier',
  'product',
  'purchaseOrder',
  'journalEntry',
  'purchaseInvoice',
] as const;

export interface X3PollerAppOptions {
  /** Tests: the Sage X3 clients' clock (a simulator's), to run many token lifetimes in little real time. */
  x3Clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(env: X3PollerEnv, options: X3PollerAppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...connectorAppImports(APP_NAME, env, { tenants: true }),
        SageX3RuntimeModule.forRoot(env, {
          source: 'poller',
          entities: [...X3_POLLER_ENTITIES],
          clock: options.x3Clock,
        }),
      ],
      controllers: [ResyncController, ReadBackController, GoLiveCheckController],
      providers: [{ provide: X3PollerEnv, useValue: env }, X3PollService, DocumentReadBackService, GoLiveCheckService],
    };
  }
}
