/* Benchmark (not a test): bounded start-up (issue 10, item 8). Fills the x3-poster's posted ledger (compacted topic
 * connector.posted-ledger.v1) with N entries, then starts the real x3-poster (its main.ts, as a process), stops it
 * (SIGTERM) and starts it again, and prints for each start the time from spawning the process to /health/ready
 * answering 200, and the part of it the ledger view took to catch up (target: ready ≤ 10 s with 100,000 entries).
 *
 *   npm run bench:startup            (needs the local broker: bash scripts/kafka.sh start)
 *   BENCH_ENTRIES=200000 npm run bench:startup
 *
 * The process runs TypeScript through @swc-node/register like the integration suites; a webpack build starts a
 * little faster (no on-the-fly compilation).
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { freePort, testTenant, uniquePrefix, writeTestTenantsFile } from '@connector/testing';
import { fillPostedLedger } from './posted-ledger.fill';

const ENTRIES = Number(process.env['BENCH_ENTRIES'] ?? 100_000);
const TARGET_S = 10;
const ROOT = join(__dirname, '../..');

interface StartResult {
  readyS: number;
  /** From the app's "state view caught up" log line, relative to spawn. */
  caughtUpS: number | null;
  entries: string | null;
  child: ChildProcess;
}

async function startPoster(env: Record<string, string>): Promise<StartResult> {
  const port = await freePort();
  const spawned = Date.now();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/x3-poster/src/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let caughtUpS: number | null = null;
  let entries: string | null = null;
  let output = '';
  const onLine = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) {
      if (!line.includes('state view caught up') || !line.includes('posted-ledger')) continue;
      caughtUpS = (Date.now() - spawned) / 1000;
      entries = /"entries":"([^"]*)"/.exec(line)?.[1] ?? null;
    }
  };
  child.stdout?.on('data', onLine);
  child.stderr?.on('data', onLine);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`x3-poster exited ${child.exitCode}:\n${output.slice(-3000)}`);
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
    if (res?.status === 200) break;
    if (Date.now() - spawned > 180_000) throw new Error(`not ready after 180 s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { readyS: (Date.now() - spawned) / 1000, caughtUpS, entries, child };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

(async () => {
  const prefix = uniquePrefix('bench-startup');
  console.log(
    `start-up benchmark: x3-poster with ${ENTRIES} posted-ledger entries, node ${process.version}, ${cpus().length} cores`,
  );
  await fillPostedLedger(prefix, 'acme', ENTRIES);

  const tenants = writeTestTenantsFile([testTenant()]);
  const env = {
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: prefix,
    TENANTS_FILE: tenants.file,
    CONNECTOR_ENCRYPTION_KEY: tenants.key,
  };
  const results: Array<[string, StartResult]> = [];
  for (const run of ['first start', 'restart']) {
    const r = await startPoster(env);
    results.push([run, r]);
    await stop(r.child);
  }
  for (const [run, r] of results)
    console.log(
      `${run}: /health/ready after ${r.readyS.toFixed(2)} s (posted-ledger caught up at ${r.caughtUpS?.toFixed(2) ?? '?'} s: ${r.entries ?? '?'})` +
        ` — target ≤ ${TARGET_S} s: ${r.readyS <= TARGET_S ? 'met' : 'MISSED'}`,
    );
  process.exit(results.every(([, r]) => r.readyS <= TARGET_S) ? 0 : 2);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
