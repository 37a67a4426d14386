import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';

export const ST_WEBHOOK_TRIGGER = 'servicetitan.command.webhook-trigger';

/**
 * A verified ServiceTitan webhook, reduced to what the connector trusts from it: which event, of what type, about
 * which entity. On `connector.servicetitan.command.v1` (key tenant); the tenant's owner reads the data from the API.
 */
export class WebhookTriggerCommandV1 {
  @IsString() eventId!: string;
  @IsString() eventType!: string;
  @IsOptional() @IsString() entityId?: string | null;
  /** Which body shape the gateway recognised: V1 (`__eventInfo`) or V2-style. */
  @IsIn(['v1', 'v2']) generation!: 'v1' | 'v2';
  @IsISO8601() receivedAt!: string;
}
