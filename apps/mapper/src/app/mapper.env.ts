import { TenantEnv } from '@connector/config';

/** Environment of the mapper (validated at boot; see docs/configuration.md). */
export class MapperEnv extends TenantEnv {}
