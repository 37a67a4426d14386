import { connectorAppImports } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { PostedLedgerService } from '../ledger/posted-ledger.service';
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
      providers: [
        { provide: X3PosterEnv, useValue: env },
        SageX3ClientsRegistry,
        PostedLedgerService,
        X3PostingService,
      ],
    };
  }
}
