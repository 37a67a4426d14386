import { TenantEnv } from '@connector/config';

/** Environment of the x3-poster (validated at boot; see docs/configuration.md). */
export class X3PosterEnv extends TenantEnv {}
