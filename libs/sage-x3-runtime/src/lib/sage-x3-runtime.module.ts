import { TenantRegistry } from '@connector/config';
import { MessagePublisher, StateViews, TenantOwnerships } from '@connector/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { SageX3ClientsRegistry } from './clients/sage-x3-clients.registry';
import { X3CredentialsRefresher } from './credentials/x3-credentials.refresher';
import { X3CredentialsService } from './credentials/x3-credentials.service';
import { X3FieldVerification } from './fields/x3-field-verification.service';
import { OperatorNotices } from './notices/operator-notices';
import { SAGE_X3_RUNTIME_OPTIONS, SageX3RuntimeOptions } from './sage-x3-runtime.options';
import { X3AppEnv } from './x3-app.env';

/**
 * The Sage X3 side of an app (x3-poster, x3-poller, the check CLI): one client per tenant, the OAuth2 credentials
 * shared through connector.x3-credentials.v1 with one refresher per tenant, and the per-tenant field check.
 * Import it after `connectorAppImports(…, { tenants: true })` (it uses the tenant registry, state views, tenant
 * ownership, the publisher and the scheduler).
 */
@Module({})
export class SageX3RuntimeModule {
  static forRoot(env: X3AppEnv, options: SageX3RuntimeOptions): DynamicModule {
    return {
      module: SageX3RuntimeModule,
      providers: [
        { provide: X3AppEnv, useValue: env },
        { provide: SAGE_X3_RUNTIME_OPTIONS, useValue: options },
        {
          provide: OperatorNotices,
          inject: [MessagePublisher],
          useFactory: (publisher: MessagePublisher) => new OperatorNotices(publisher, options.source),
        },
        {
          provide: X3CredentialsService,
          inject: [TenantRegistry, StateViews, TenantOwnerships],
          useFactory: (registry: TenantRegistry, views: StateViews, ownerships: TenantOwnerships) =>
            new X3CredentialsService(
              registry,
              views,
              options.ownership === false ? null : ownerships,
              env,
              options.source,
            ),
        },
        SageX3ClientsRegistry,
        X3CredentialsRefresher,
        X3FieldVerification,
      ],
      exports: [
        SageX3ClientsRegistry,
        X3CredentialsService,
        X3FieldVerification,
        OperatorNotices,
        X3CredentialsRefresher,
      ],
    };
  }
}
