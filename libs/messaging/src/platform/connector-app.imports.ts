import { CommonEnv, TenantEnv, TenantsModule } from '@connector/config';
import { ObservabilityModule, Redactor } from '@connector/observability';
import { DynamicModule } from '@nestjs/common';
import { kafkaSettingsFromEnv } from '../kafka/kafka-settings';
import { MessagingModule } from '../messaging.module';
import { RecurringJobsModule } from './recurring-jobs';

/**
 * The platform every connector app stands on: health and metrics, Kafka messaging (publisher, bus transport, state
 * views, tenant ownership), the recurring-jobs scheduler and, for apps that call ServiceTitan or Sage X3, the tenant
 * registry (secrets registered with the log redactor as they are decrypted). Configuration is the app's validated
 * env class, provided by the app itself (no ConfigService: see docs/conventions.md).
 */
export function connectorAppImports(
  app: string,
  env: CommonEnv | TenantEnv,
  opts: { tenants: boolean },
): Array<DynamicModule | Promise<DynamicModule> | typeof RecurringJobsModule> {
  return [
    ObservabilityModule.forRoot({ app }),
    MessagingModule.forRoot({ useFactory: () => kafkaSettingsFromEnv(env, app) }),
    RecurringJobsModule,
    ...(opts.tenants ? [TenantsModule.forRoot(env as TenantEnv, { onSecret: (v) => Redactor.register(v) })] : []),
  ];
}
