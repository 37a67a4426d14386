import { CommonEnv, TenantEnv, TenantsModule } from '@connector/config';
import { ObservabilityModule, Redactor } from '@connector/observability';
import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { kafkaSettingsFromEnv } from './kafka/kafka-settings';
import { MessagingModule } from './messaging.module';

/**
 * The platform every connector app stands on: its validated env in ConfigService, health and metrics, Kafka
 * messaging and, for apps that call ServiceTitan or Sage X3, the tenant registry (secrets registered with the
 * log redactor as they are decrypted).
 */
export function connectorAppImports(
  app: string,
  env: CommonEnv | TenantEnv,
  opts: { tenants: boolean },
): Array<DynamicModule | Promise<DynamicModule>> {
  return [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
    ObservabilityModule.forRoot({ app }),
    MessagingModule.forRoot({ useFactory: () => kafkaSettingsFromEnv(env, app) }),
    ...(opts.tenants ? [TenantsModule.forRoot(env as TenantEnv, { onSecret: (v) => Redactor.register(v) })] : []),
  ];
}
