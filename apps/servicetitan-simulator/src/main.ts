/**
 * Standalone ServiceTitan simulator (for docker-compose, benchmarks and manual testing).
 * Env: PORT (default 8080), HOST (default 0.0.0.0), SEED_FILE (JSON in the simulator seed format),
 * GENERATE_TENANT (optional JSON of generator options, e.g. {"seed":1,"now":"2026-11-29T12:00:00Z","tenantId":2000001}:
 * adds a generated five-year tenant; the seed's app keys apply to it), TOKEN_LIFETIME_SECONDS (900),
 * EXPORT_PAGE_SIZE (500), RATE_LIMIT_PER_SECOND (60), WEBHOOK_TIME_SCALE (1), ADMIN_TOKEN (optional; protects
 * /__admin/*). See docs/servicetitan-simulator.md.
 */
import { readFileSync } from 'node:fs';
import {
  startServiceTitanSimulator,
  type ServiceTitanSimulatorSeed,
  type TenantGeneratorOptions,
} from '@connector/servicetitan-simulator';

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
  return value;
}

function loadSeed(): ServiceTitanSimulatorSeed | undefined {
  const file = process.env['SEED_FILE'];
  if (!file) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`SEED_FILE ${file} must hold a JSON object`);
  return parsed as ServiceTitanSimulatorSeed;
}

function generatorOptions(): TenantGeneratorOptions | undefined {
  const raw = process.env['GENERATE_TENANT'];
  if (!raw) return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as { now?: unknown }).now !== 'string')
    throw new Error('GENERATE_TENANT must be a JSON object with at least "now" (an ISO date-time)');
  return parsed as TenantGeneratorOptions;
}

async function main(): Promise<void> {
  const seed = loadSeed();
  const generate = generatorOptions();
  const sim = await startServiceTitanSimulator({
    port: numberEnv('PORT', 8080),
    host: process.env['HOST'] || '0.0.0.0',
    seed,
    tokenLifetimeSeconds: numberEnv('TOKEN_LIFETIME_SECONDS', 900),
    exportPageSize: numberEnv('EXPORT_PAGE_SIZE', 500),
    rateLimitPerSecond: numberEnv('RATE_LIMIT_PER_SECOND', 60),
    webhookTimeScale: numberEnv('WEBHOOK_TIME_SCALE', 1),
    adminToken: process.env['ADMIN_TOKEN'] || undefined,
  });
  // Never print credentials from the seed: only counts.
  console.log(`servicetitan-simulator listening on ${sim.url} (${seed?.tenants?.length ?? 0} tenant(s) seeded)`);
  if (generate) {
    const summary = sim.generateTenant(generate);
    console.log(
      `servicetitan-simulator generated tenant ${generate.tenantId ?? 'default'}: ${summary.jobs} jobs, ${summary.invoices} invoices, ${summary.grossPayItems} gross pay items, ${summary.inventoryBills} bills`,
    );
  }
  const shutdown = (signal: string) => {
    console.log(`servicetitan-simulator: ${signal}, shutting down`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('servicetitan-simulator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
