/** Why a webhook is refused after its signature verified (the 4xx answer's `reason`). */
export type WebhookRefusalReason =
  | 'unsupported-media-type'
  | 'invalid-utf8'
  | 'malformed-json'
  | 'too-deep'
  | 'too-many-keys'
  | 'unknown-shape'
  | 'invalid-id'
  | 'tenant-mismatch';

/**
 * A signed webhook the gateway does not take, with the status and the reason it answers. Every malformed body ends
 * here (never a 500): ServiceTitan would otherwise re-deliver it for as long as it retries.
 */
export class WebhookRefusal extends Error {
  constructor(
    readonly reason: WebhookRefusalReason,
    message: string,
    readonly status: 400 | 415 = reason === 'unsupported-media-type' ? 415 : 400,
  ) {
    super(message);
    this.name = 'WebhookRefusal';
  }
}
