import { Topics } from '@connector/contracts';
import { TenantOwnership, TenantOwnerships } from '@connector/messaging';
import { sleep } from '@connector/util';
import { Injectable } from '@nestjs/common';
import { WebhookGatewayEnv } from '../app/webhook-gateway.env';

/** Consumer group of the tenants' ServiceTitan owners, over the command topic (key = tenant). */
export const SERVICETITAN_OWNER_GROUP = 'servicetitan-owner';

/**
 * Which gateway replica owns which tenant's ServiceTitan access: the member of `servicetitan-owner` assigned the
 * tenant's partition of `connector.servicetitan.command.v1`. Only the owner calls ServiceTitan for the tenant (feed
 * reads, trigger reads, write-backs, backfills), so the tenant's 60 requests/s are one budget whatever the number of
 * replicas. A new owner acts only after the hand-over grace (longer than one request's timeout).
 */
@Injectable()
export class ServiceTitanOwnership {
  private readonly ownership: TenantOwnership;

  constructor(ownerships: TenantOwnerships, env: WebhookGatewayEnv) {
    this.ownership = ownerships.of(SERVICETITAN_OWNER_GROUP, {
      topic: Topics.StCommand,
      handOverGraceMs: env.ST_OWNER_HANDOVER_GRACE_MS,
    });
  }

  isOwner(tenant: string): boolean {
    return this.ownership.isOwner(tenant);
  }

  onChange(listener: () => void): () => void {
    return this.ownership.onChange(listener);
  }

  /** Resolves once this replica owns `tenant`; rejects after timeoutMs or when the signal aborts. */
  async whenOwner(tenant: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isOwner(tenant)) {
      if (Date.now() > deadline) throw new Error(`this gateway does not own tenant ${tenant} (another replica does)`);
      await sleep(100, signal);
    }
  }
}
