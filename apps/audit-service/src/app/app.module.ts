import { connectorAppImports, provideConsumerGroup } from '@connector/messaging';
import { ReadinessRegistry } from '@connector/observability';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { AuditApiController } from './api/audit-api.controller';
import { AuditQueryRepository } from './api/audit-query.repository';
import { StrictValidationPipe } from './api/strict-validation.pipe';
import { AuditServiceEnv } from './audit-service.env';
import { ApiAuthGuard } from './auth/api-auth.guard';
import { ApiTokenRegistry } from './auth/api-token.registry';
import { ConsoleController } from './console/console.controller';
import { Database, openDatabase } from './database/database';
import { migrate } from './database/migrator';
import { AUDIT_GROUP, auditGroupSettings, AuditIngestConsumer } from './ingest/audit-ingest.consumer';
import { AuditRederivation } from './ingest/audit-rederivation.service';
import { AuditStore } from './ingest/audit-store.service';
import { ReconciliationController } from './reconciliation/reconciliation.controller';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { PayloadRetentionService } from './retention/payload-retention.service';
import { ReplayService } from './replay/replay.service';

export const APP_NAME = 'audit-service';

/** Closes the database after messaging stopped (consumers finish their in-flight writes first). */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

export interface AuditAppOptions {
  /** Tests: use this database instead of opening one from the environment (the caller closes it). */
  database?: Database;
}

@Module({})
export class AppModule {
  static forRoot(env: AuditServiceEnv, options: AuditAppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [...connectorAppImports(APP_NAME, env, { tenants: false })],
      controllers: [AuditApiController, ReconciliationController, ConsoleController, AuditIngestConsumer],
      providers: [
        { provide: AuditServiceEnv, useValue: env },
        {
          provide: Database,
          inject: [ReadinessRegistry],
          useFactory: async (readiness: ReadinessRegistry) => {
            const db =
              options.database ??
              (await openDatabase({
                url: env.DATABASE_URL,
                schema: env.AUDIT_DB_SCHEMA,
                poolSize: env.AUDIT_DB_POOL_SIZE,
                pgliteDir: env.AUDIT_PGLITE_DIR,
              }));
            const applied = await migrate(db);
            new Logger('database').log({ msg: 'database ready', driver: db.driver, migrationsApplied: applied });
            readiness.register({
              name: 'database',
              check: async () => (await db.query('SELECT 1 AS ok')).rows.length === 1,
            });
            return db;
          },
        },
        ...(options.database ? [] : [DatabaseLifecycle]),
        {
          provide: ApiTokenRegistry,
          useFactory: () => {
            const registry = ApiTokenRegistry.fromConfig(env);
            if (registry.size === 0)
              new Logger('auth').warn({
                msg: 'no API tokens configured: every /api call answers 401 (set AUDIT_ADMIN_TOKEN_SHA256 / AUDIT_TENANT_TOKENS)',
              });
            return registry;
          },
        },
        {
          provide: APP_PIPE,
          useValue: new StrictValidationPipe(),
        },
        ApiAuthGuard,
        AuditStore,
        AuditRederivation,
        provideConsumerGroup(AUDIT_GROUP, auditGroupSettings, [AuditServiceEnv]),
        AuditQueryRepository,
        ReplayService,
        ReconciliationService,
        PayloadRetentionService,
      ],
    };
  }
}
