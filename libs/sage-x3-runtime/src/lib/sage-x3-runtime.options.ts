import { TenantConfig } from '@connector/config';
import { MessageSource } from '@connector/contracts';
import { Clock, SageX3ClientConfig, X3EntityName } from '@connector/sage-x3';
import { X3AppEnv } from './x3-app.env';

export const SAGE_X3_RUNTIME_OPTIONS = Symbol('SAGE_X3_RUNTIME_OPTIONS');

/** What an app tells the Sage X3 runtime about itself. */
export interface SageX3RuntimeOptions {
  /** The app, as the source of the messages it writes (credentials, notices). */
  source: MessageSource;
  /** Entities the app reads or writes: their configured fields are verified against the tenant's X3 at start. */
  entities: X3EntityName[];
  /** Client settings beyond the shared env (e.g. the poster's socket pool and read retries). */
  client?: (env: X3AppEnv) => Partial<SageX3ClientConfig>;
  /**
   * Values the app writes, checked against the fields' maximum lengths at start, by logical name or X3 code
   * (the poster: the longest external reference it would write to GACCENTRY REF).
   */
  sampleValues?: (tenant: TenantConfig, entity: X3EntityName) => Record<string, string> | undefined;
  /** Take part in electing each tenant's credential refresher (apps: yes; a one-shot CLI that only reads: no). */
  ownership?: boolean;
  /** Tests: the clients' clock (a simulator's), e.g. to run many access-token lifetimes in little real time. */
  clock?: Clock;
}
