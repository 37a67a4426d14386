import { IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';

export const ST_WEBHOOK_TRIGGER = 'servicetitan.command.webhook-trigger';

/**
 * A verified ServiceTitan webhook, reduced to what the connector trusts from it: which event, of what type, about
 * which entity. On `connector.servicetitan.command.v1` (key tenant); the tenant's owner reads the data from the API.
 */
export class WebhookTriggerCommandV1 {
  /** Opaque: 1–200 visible ASCII characters (no spaces, control characters or NUL). */
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: '$property must be 1–200 visible ASCII characters' })
  eventId!: string;
  @Matches(/^[A-Za-z][A-Za-z0-9._:-]{0,99}$/, { message: '$property must be a name of letters, digits and ".:_-"' })
  eventType!: string;
  /** A positive integer id in decimal digits, at most 2^53 − 1 (the gateway never rounds it). */
  @IsOptional()
  @IsString()
  @Matches(/^[1-9]\d{0,15}$/, { message: '$property must be a positive integer id in digits' })
  entityId?: string | null;
  /** Which body shape the gateway recognised: V1 (`__eventInfo`) or V2-style. */
  @IsIn(['v1', 'v2']) generation!: 'v1' | 'v2';
  @IsISO8601() receivedAt!: string;
}
