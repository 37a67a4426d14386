import { connectorAppImports } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { ResyncController } from '../polling/resync.controller';
import { X3PollService } from '../polling/x3-poll.service';
import { DocumentReadBackService } from '../readback/document-readback.service';
import { ReadBackController } from '../readback/readback.controller';
import { SageX3ClientsRegistry } from '../x3/sage-x3-clients.registry';
import { X3PollerEnv } from './x3-poller.env';

export const APP_NAME = 'x3-poller';

@Module({})
export class AppModule {
  static forRoot(env: X3PollerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: true })],
      controllers: [ResyncController, ReadBackController],
      providers: [
        { provide: X3PollerEnv, useValue: env },
        SageX3ClientsRegistry,
        X3PollService,
        DocumentReadBackService,
      ],
    };
  }
}
