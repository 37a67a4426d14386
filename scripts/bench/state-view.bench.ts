/* Benchmark (not a test): start-up catch-up of a compacted-topic view. Fills a compacted topic with N entries
 * (the x3-poster's posted ledger: key tenant:externalRef), then starts a fresh app whose view reads the topic from
 * offset 0 up to its end offsets, and prints how long that took (target: ≤ 10 s for 100,000 entries).
 *
 *   npm run bench:state-view            (needs the local broker: bash scripts/kafka.sh start)
 *   BENCH_ENTRIES=200000 npm run bench:state-view
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { PostedLedgerEntryV1, Topics } from '@connector/contracts';
import { CompactedTopicView, StateViews } from '@connector/messaging';
import { startMessagingHarness, uniquePrefix } from '@connector/testing';
import { fillPostedLedger } from './posted-ledger.fill';

const ENTRIES = Number(process.env['BENCH_ENTRIES'] ?? 100_000);
const VIEW = 'BENCH_VIEW';

(async () => {
  const prefix = uniquePrefix('bench-view');
  console.log(`state-view benchmark: ${ENTRIES} entries, node ${process.version}, ${cpus().length} cores`);
  await fillPostedLedger(prefix, 'bench', ENTRIES);

  const started = Date.now();
  const reader = await startMessagingHarness(prefix, [], 'bench-reader', {
    providers: [
      {
        provide: VIEW,
        inject: [StateViews],
        useFactory: (views: StateViews) =>
          views.open({ topic: Topics.PostedLedger, name: 'posted-ledger', decode: (env) => env.payload }),
      },
    ],
  });
  const booted = Date.now();
  const view = reader.app.get<CompactedTopicView<PostedLedgerEntryV1>>(VIEW);
  await view.ready();
  const ready = Date.now();
  if (view.size !== ENTRIES) throw new Error(`view holds ${view.size} entries, expected ${ENTRIES}`);
  const seconds = (ready - started) / 1000;
  console.log(
    `catch-up: ${view.size} entries ready in ${seconds.toFixed(2)} s from app start (app up in ${((booted - started) / 1000).toFixed(2)} s) = ${(view.size / seconds).toFixed(0)} entries/s; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  await reader.close();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
