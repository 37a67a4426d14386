// Public surface for the end-to-end suite only (apps/connector-e2e); apps never import each other.
export { AppModule } from './app/app.module';
export { WebhookGatewayEnv } from './app/webhook-gateway.env';
export { ServiceTitanPullService } from './pull/servicetitan-pull.service';
