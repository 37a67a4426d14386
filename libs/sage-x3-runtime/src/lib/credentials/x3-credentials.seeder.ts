import { connectorAppImports, createApp } from '@connector/messaging';
import { X3TokenSet } from '@connector/sage-x3';
import { DynamicModule, Module } from '@nestjs/common';
import { OperatorNotices } from '../notices/operator-notices';
import { SageX3RuntimeModule } from '../sage-x3-runtime.module';
import { X3AppEnv } from '../x3-app.env';
import { X3CredentialsService } from './x3-credentials.service';

@Module({})
class SeedModule {
  static forRoot(env: X3AppEnv): DynamicModule {
    return {
      module: SeedModule,
      imports: [
        ...connectorAppImports('tenant-cli', env, { tenants: true }),
        // Reads and writes the credentials topic; never refreshes (not a member of the owner group).
        SageX3RuntimeModule.forRoot(env, { source: 'manual', entities: [], ownership: false }),
      ],
    };
  }
}

/**
 * Seeds a refresh token an X3 user has just approved into connector.x3-credentials.v1 (the next generation, on top
 * of whatever the topic holds): every x3-poster and x3-poller of the tenant switches to it without a restart, and
 * the tenant's owner redeems it at its next refresh. Told to the audit trail (`x3-refresh-token-seeded`).
 */
export async function seedX3RefreshToken(
  env: X3AppEnv,
  tenantId: string,
  refreshToken: string,
  expiresAt?: Date,
): Promise<X3TokenSet> {
  const app = await createApp(SeedModule.forRoot({ ...env, X3_FIELD_CHECK_ENABLED: false } as X3AppEnv), {
    app: 'tenant-cli',
    logLevel: 'warn',
  });
  try {
    const set = await app.get(X3CredentialsService).seed(tenantId, refreshToken, expiresAt);
    await app
      .get(OperatorNotices)
      .publish(
        tenantId,
        'x3-refresh-token-seeded',
        'info',
        `A newly approved Sage X3 refresh token was seeded (generation ${set.generation}); every process uses it now`,
        {
          generation: set.generation,
          refreshTokenExpiresAt:
            set.refreshTokenExpiresAt === undefined ? null : new Date(set.refreshTokenExpiresAt).toISOString(),
        },
      );
    return set;
  } finally {
    await app.close();
  }
}
