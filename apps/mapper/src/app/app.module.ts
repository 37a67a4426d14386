import { connectorAppImports, provideConsumerGroup } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { ServiceTitanLookups } from '../servicetitan/servicetitan-lookups.service';
import { MapperState } from '../state/mapper-state.service';
import { MAPPER_GROUP, MapperConsumer } from './mapper.consumer';
import { MapperEnv } from './mapper.env';

export const APP_NAME = 'mapper';

@Module({})
export class AppModule {
  static forRoot(env: MapperEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: true })],
      controllers: [MapperConsumer],
      providers: [
        { provide: MapperEnv, useValue: env },
        MappingRulesRegistry,
        MapperState,
        ServiceTitanLookups,
        JobMappingService,
        BillMappingService,
        provideConsumerGroup(
          MAPPER_GROUP,
          (e: MapperEnv, state: MapperState) => ({
            fromBeginning: true,
            partitionConcurrency: e.MAPPER_PARTITION_CONCURRENCY,
            retry: {
              attempts: e.MAPPER_RETRY_ATTEMPTS,
              initialBackoffMs: e.MAPPER_RETRY_BACKOFF_MS,
              maxBackoffMs: 60_000,
            },
            afterJoin: () => state.syncAfterJoin(),
          }),
          [MapperEnv, MapperState],
        ),
      ],
    };
  }
}
