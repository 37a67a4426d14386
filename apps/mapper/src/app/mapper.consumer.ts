import { ServiceTitanInventoryBillRevisionV1, ServiceTitanJobEventV1, Topics } from '@connector/contracts';
import { BusContext } from '@connector/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { BillMappingService } from '../bills/bill-mapping.service';
import { JobMappingService } from '../jobs/job-mapping.service';

/** The mapper's work consumer group over the ServiceTitan record topics (scaled by partitions). */
export const MAPPER_GROUP = 'mapper';

@Controller()
export class MapperConsumer {
  constructor(
    private readonly jobs: JobMappingService,
    private readonly bills: BillMappingService,
  ) {}

  @EventPattern(Topics.StJob, { group: MAPPER_GROUP })
  onJob(@Ctx() ctx: BusContext<ServiceTitanJobEventV1>): Promise<void> {
    return this.jobs.handle(ctx);
  }

  @EventPattern(Topics.StInventoryBill, { group: MAPPER_GROUP })
  onInventoryBill(@Ctx() ctx: BusContext<ServiceTitanInventoryBillRevisionV1>): Promise<void> {
    return this.bills.handle(ctx);
  }
}
