import { SimulatorClock, startSageX3Simulator } from '@connector/sage-x3-simulator';

/**
 * Standalone Sage X3 simulator.
 * PORT (default 8124, Syracuse's usual port), HOST (default 0.0.0.0), SEED_FILE (JSON fixture; default demo seed),
 * ADMIN_TOKEN (protects /__admin), PUBLIC_URL (links behind a proxy), STAMP_RESOLUTION_MS (1000 = X3 seconds),
 * CLOCK_START (ISO time the simulated clock starts at; it then runs with wall time).
 */
async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 8124);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be an integer 0-65535');
  const stampResolution = process.env['STAMP_RESOLUTION_MS'] ? Number(process.env['STAMP_RESOLUTION_MS']) : undefined;
  const sim = await startSageX3Simulator({
    port,
    host: process.env['HOST'] ?? '0.0.0.0',
    seedFile: process.env['SEED_FILE'] || undefined,
    adminToken: process.env['ADMIN_TOKEN'] || undefined,
    publicUrl: process.env['PUBLIC_URL'] || undefined,
    stampResolutionMs: stampResolution,
    clock: process.env['CLOCK_START'] ? new SimulatorClock({ start: process.env['CLOCK_START'] }) : undefined,
  });
  console.log(`Sage X3 simulator listening on ${sim.url} (folders: ${sim.folderNames().join(', ')})`);
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
