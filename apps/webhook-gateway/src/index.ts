// Public surface for the end-to-end suite and the benchmarks only; apps never import each other.
export { AppModule } from './app/app.module';
export { GATEWAY_HTTP } from './app/gateway-http';
export { WebhookGatewayEnv } from './app/webhook-gateway.env';
export { ServiceTitanFeedsService } from './feeds/servicetitan-feeds.service';
export { WriteBackService } from './write-back/write-back.service';
