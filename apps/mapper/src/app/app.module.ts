import { connectorAppImports } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { ServiceTitanLookups } from '../servicetitan/servicetitan-lookups.service';
import { StateTopicsReader } from '../state/state-topics.reader';
import { MapperConsumers } from './mapper-consumers.service';
import { MapperEnv } from './mapper.env';

export const APP_NAME = 'mapper';

@Module({})
export class AppModule {
  static forRoot(env: MapperEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: true })],
      providers: [
        { provide: MapperEnv, useValue: env },
        MappingRulesRegistry,
        StateTopicsReader,
        ServiceTitanLookups,
        JobMappingService,
        BillMappingService,
        MapperConsumers,
      ],
    };
  }
}
