import { TenantEnv } from '@connector/config';

/** Environment of the x3-poller (validated at boot; see docs/configuration.md). */
export class X3PollerEnv extends TenantEnv {}
