import { connectorAppImports, provideConsumerGroup } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { RecordMarkersService } from '../backfill/backfill-partition.service';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';
import { MappingRulesRegistry } from '../rules/mapping-rules.registry';
import { MappingRulesReloader } from '../rules/mapping-rules.reloader';
import { BackfillWindowsState } from '../state/backfill-windows.state';
import { MapperState } from '../state/mapper-state.service';
import { SourceRecordsState } from '../state/source-records.state';
import { ExportMarksService } from '../write-back/export-marks.service';
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
        MappingRulesReloader,
        MapperState,
        SourceRecordsState,
        BackfillWindowsState,
        JobMappingService,
        BillMappingService,
        RecordMarkersService,
        ExportMarksService,
        provideConsumerGroup(
          MAPPER_GROUP,
          (e: MapperEnv, state: MapperState, windows: BackfillWindowsState) => ({
            fromBeginning: true,
            partitionConcurrency: e.MAPPER_PARTITION_CONCURRENCY,
            retry: {
              attempts: e.MAPPER_RETRY_ATTEMPTS,
              initialBackoffMs: e.MAPPER_RETRY_BACKOFF_MS,
              maxBackoffMs: 60_000,
            },
            afterJoin: () => Promise.all([state.syncAfterJoin(), windows.ready()]).then(() => undefined),
          }),
          [MapperEnv, MapperState, BackfillWindowsState],
        ),
      ],
    };
  }
}
