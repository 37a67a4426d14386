import {
  createDemoSeed,
  loadSeedFile,
  SageX3SeedFile,
  SimulatorCapacity,
  SimulatorClock,
  startSageX3Simulator,
} from '@connector/sage-x3-simulator';

/**
 * Standalone Sage X3 simulator. Environment:
 * - PORT (default 8124, Syracuse's usual port), HOST (default 0.0.0.0), SEED_FILE (JSON fixture; default demo seed),
 *   ADMIN_TOKEN (protects /__admin), PUBLIC_URL (links behind a proxy), STAMP_RESOLUTION_MS (1000 = X3 seconds),
 *   CLOCK_START (ISO time the simulated clock starts at; it then runs with wall time).
 * - Capacity (off by default; the month demo and benchmarks use e.g. 5 / 150): POOL_SIZE (concurrent calls the
 *   web-service pool serves, beyond it HTTP 500 "No Web services accepted"), CREATE_LATENCY_MS, READ_LATENCY_MS.
 * - OAuth2 (override the seed's): ACCESS_TOKEN_LIFETIME_SECONDS (e.g. 60 for tests), OMIT_REFRESH_TOKEN_EXPIRES_IN
 *   (true = no refresh_token_expires_in in token answers), JWT_REFRESH_TOKENS (true = refresh tokens are JWTs).
 * - BUSINESS_ERROR_STATUS: HTTP status of business rejections in every folder (default 400; 500 like some sites).
 */
function numberEnv(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer ${min}-${max}`);
  return n;
}

/** Takes the raw value (read as `process.env['NAME']` at the call, so tooling sees every variable). */
function boolEnv(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false`);
  return raw === 'true';
}

function seedWithOverrides(): SageX3SeedFile {
  const seed = process.env['SEED_FILE'] ? loadSeedFile(process.env['SEED_FILE']) : createDemoSeed();
  const lifetime = numberEnv('ACCESS_TOKEN_LIFETIME_SECONDS', 1);
  const omit = boolEnv('OMIT_REFRESH_TOKEN_EXPIRES_IN', process.env['OMIT_REFRESH_TOKEN_EXPIRES_IN']);
  const jwt = boolEnv('JWT_REFRESH_TOKENS', process.env['JWT_REFRESH_TOKENS']);
  const oauth2 = seed.auth?.oauth2;
  if (oauth2 && seed.auth) {
    seed.auth.oauth2 = {
      ...oauth2,
      ...(lifetime === undefined ? {} : { accessTokenLifetimeSeconds: lifetime }),
      ...(omit === undefined ? {} : { omitRefreshTokenExpiresIn: omit }),
      ...(jwt === undefined ? {} : { jwtRefreshTokens: jwt }),
    };
  }
  const businessErrorStatus = numberEnv('BUSINESS_ERROR_STATUS', 400, 599);
  if (businessErrorStatus !== undefined) for (const f of seed.folders) f.businessErrorStatus = businessErrorStatus;
  return seed;
}

async function main(): Promise<void> {
  const port = numberEnv('PORT', 0, 65535) ?? 8124;
  const capacity: SimulatorCapacity = {
    poolSize: numberEnv('POOL_SIZE', 0),
    latencyMs: { create: numberEnv('CREATE_LATENCY_MS', 0), read: numberEnv('READ_LATENCY_MS', 0) },
  };
  const sim = await startSageX3Simulator({
    port,
    host: process.env['HOST'] ?? '0.0.0.0',
    seed: seedWithOverrides(),
    adminToken: process.env['ADMIN_TOKEN'] || undefined,
    publicUrl: process.env['PUBLIC_URL'] || undefined,
    stampResolutionMs: numberEnv('STAMP_RESOLUTION_MS', 1),
    clock: process.env['CLOCK_START'] ? new SimulatorClock({ start: process.env['CLOCK_START'] }) : undefined,
    capacity,
  });
  const pool = capacity.poolSize ? `, pool ${capacity.poolSize}` : '';
  console.log(`Sage X3 simulator listening on ${sim.url} (folders: ${sim.folderNames().join(', ')}${pool})`);
  const stop = (signal: string): void => {
    console.log(`Sage X3 simulator stopping (${signal})`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`Sage X3 simulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
