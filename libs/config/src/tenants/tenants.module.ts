import { DynamicModule, Global, Module } from '@nestjs/common';
import { TenantEnv } from '../env/common-env';
import { TenantRegistry } from './tenant-registry';

/** Provides the TenantRegistry loaded from TENANTS_FILE, decrypted with CONNECTOR_ENCRYPTION_KEY. */
@Global()
@Module({})
export class TenantsModule {
  static forRoot(
    env: TenantEnv,
    options: { onSecret?: (value: string) => void; registry?: TenantRegistry } = {},
  ): DynamicModule {
    return {
      module: TenantsModule,
      providers: [
        {
          provide: TenantRegistry,
          useFactory: () =>
            options.registry ??
            TenantRegistry.fromFile(env.TENANTS_FILE, env.CONNECTOR_ENCRYPTION_KEY, { onSecret: options.onSecret }),
        },
      ],
      exports: [TenantRegistry],
    };
  }
}
