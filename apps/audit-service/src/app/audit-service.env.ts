import { TenantEnv } from '@connector/config';

/** Environment of the audit-service (validated at boot; see docs/configuration.md). */
export class AuditServiceEnv extends TenantEnv {}
