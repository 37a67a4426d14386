import { TenantRegistry } from '@connector/config';
import {
  BackfillCommandV1,
  MarkExportedCommandV1,
  ST_BACKFILL_COMMAND,
  ST_MARK_EXPORTED,
  ST_WEBHOOK_TRIGGER,
  Topics,
  WebhookTriggerCommandV1,
} from '@connector/contracts';
import { BusContext, PermanentMessageError } from '@connector/messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { BackfillService } from '../backfill/backfill.service';
import { feedsForEvent } from '../feeds/feed-names';
import { ServiceTitanFeedsService } from '../feeds/servicetitan-feeds.service';
import { WriteBackService } from '../write-back/write-back.service';
import { SERVICETITAN_OWNER_GROUP } from './servicetitan-ownership';

/**
 * The tenant owner's commands (`connector.servicetitan.command.v1`, key tenant): the group's partition assignment is
 * the ownership, so each replica receives exactly the commands of the tenants it owns.
 * - `webhook-trigger`: the named feeds are read soon (batched; a trigger carries no data);
 * - `mark-exported`: remembered durably as a pending write-back before the command is committed;
 * - `backfill`: run to the end (heart-beating); a new owner runs an unfinished one again (idempotent).
 */
@Controller()
export class ServiceTitanOwnerConsumer {
  private readonly logger = new Logger('servicetitan-owner');

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly feeds: ServiceTitanFeedsService,
    private readonly writeBack: WriteBackService,
    private readonly backfill: BackfillService,
  ) {}

  @EventPattern(Topics.StCommand, { group: SERVICETITAN_OWNER_GROUP })
  async onCommand(@Ctx() ctx: BusContext<unknown>): Promise<void> {
    const env = ctx.envelope;
    const tenant = this.tenants.get(env.tenant);
    if (!tenant) throw new PermanentMessageError(`unknown tenant "${env.tenant}"`);
    switch (env.type) {
      case ST_WEBHOOK_TRIGGER: {
        const t = env.payload as WebhookTriggerCommandV1;
        this.feeds.trigger(tenant.id, feedsForEvent(t.eventType), t.entityId ?? t.eventId);
        return;
      }
      case ST_MARK_EXPORTED:
        return this.writeBack.accept(tenant, env.payload as MarkExportedCommandV1);
      case ST_BACKFILL_COMMAND:
        return ctx.keepAlive(() => this.backfill.run(tenant, env.payload as BackfillCommandV1));
      default:
        this.logger.warn({ msg: 'command of no concern to the ServiceTitan owner', type: env.type });
    }
  }
}
