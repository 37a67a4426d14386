import { ServiceTitanInventoryBillRevisionV1, ServiceTitanJobEventV1, Topics } from '@connector/contracts';
import { ConsumedMessage, MessagingService, PermanentMessageError } from '@connector/messaging';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';
import { MapperEnv } from './mapper.env';

/** The mapper's work consumer: one shared group over the ServiceTitan record topics (scaled by partitions). */
@Injectable()
export class MapperConsumers implements OnModuleInit {
  static readonly GROUP = 'mapper';

  constructor(
    private readonly messaging: MessagingService,
    private readonly jobs: JobMappingService,
    private readonly bills: BillMappingService,
    private readonly env: MapperEnv,
  ) {}

  onModuleInit(): void {
    this.messaging.registerConsumer({
      groupId: MapperConsumers.GROUP,
      topics: [Topics.StJob, Topics.StInventoryBill],
      fromBeginning: true,
      partitionsConsumedConcurrently: this.env.MAPPER_PARTITION_CONCURRENCY,
      retry: {
        attempts: this.env.MAPPER_RETRY_ATTEMPTS,
        initialBackoffMs: this.env.MAPPER_RETRY_BACKOFF_MS,
        maxBackoffMs: 60_000,
      },
      handler: (m) => this.dispatch(m),
    });
  }

  private dispatch(m: ConsumedMessage): Promise<void> {
    if (m.topic === Topics.StJob) return this.jobs.handle(m as ConsumedMessage<ServiceTitanJobEventV1>);
    if (m.topic === Topics.StInventoryBill)
      return this.bills.handle(m as ConsumedMessage<ServiceTitanInventoryBillRevisionV1>);
    return Promise.reject(new PermanentMessageError(`unexpected topic ${m.topic}`));
  }
}
