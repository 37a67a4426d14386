import { TenantEnv } from '@connector/config';

/** Environment of the webhook-gateway (validated at boot; see docs/configuration.md). */
export class WebhookGatewayEnv extends TenantEnv {}
