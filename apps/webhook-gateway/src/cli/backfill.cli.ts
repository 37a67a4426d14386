/* Backfill CLI: posts (or, with --dry-run, only reports) a tenant's ServiceTitan records of a window of business
 * dates before its go-live date. Executed by the tenant's webhook-gateway owner and the mapper over Kafka; this
 * command sends the request and prints the report. Never posts twice what was posted (deterministic references).
 *
 *   npm run backfill -- <tenant> --from 2026-10-01 --to 2026-10-31 [--dry-run] [--json] [--timeout-ms 900000]
 *
 * Env: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (as the apps').
 */
import 'reflect-metadata';
import { hostname, userInfo } from 'node:os';
import { isDateOnly } from '@connector/util';
import { CompactedTopicView, MessagePublisher, MessagingModule, StateViews } from '@connector/messaging';
import { ObservabilityModule } from '@connector/observability';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BackfillRecord,
  BackfillRequest,
  formatBackfillSummary,
  openBackfillView,
  requestBackfill,
} from '../backfill/backfill-request';

const BACKFILL_VIEW = 'BACKFILL_VIEW';

export function parseBackfillArgs(argv: string[]): BackfillRequest & { json: boolean } {
  const [tenant, ...rest] = argv;
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const from = flag('--from');
  const to = flag('--to');
  const problems: string[] = [];
  if (!tenant || tenant.startsWith('--')) problems.push('the tenant id comes first');
  if (!isDateOnly(from)) problems.push('--from must be a date like 2026-10-01');
  if (!isDateOnly(to)) problems.push('--to must be a date like 2026-10-31');
  if (isDateOnly(from) && isDateOnly(to) && from > to) problems.push('--from must not be after --to');
  const timeout = Number(flag('--timeout-ms') ?? 900_000);
  if (!Number.isInteger(timeout) || timeout < 1000) problems.push('--timeout-ms must be an integer ≥ 1000');
  if (problems.length)
    throw new Error(
      `${problems.join('; ')}\nusage: npm run backfill -- <tenant> --from YYYY-MM-DD --to YYYY-MM-DD [--dry-run] [--json] [--timeout-ms N]`,
    );
  return {
    tenant,
    from: from as string,
    to: to as string,
    dryRun: rest.includes('--dry-run'),
    json: rest.includes('--json'),
    timeoutMs: timeout,
    requestedBy: `${userInfo().username}@${hostname()}`,
  };
}

async function main(): Promise<void> {
  const args = parseBackfillArgs(process.argv.slice(2));
  @Module({
    imports: [
      ObservabilityModule.forRoot({ app: 'backfill-cli', defaultMetrics: false }),
      MessagingModule.forRoot({
        useFactory: () => ({
          brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
          clientId: 'backfill-cli',
          topicPrefix: process.env['KAFKA_TOPIC_PREFIX'] || undefined,
          partitions: 3,
          replicationFactor: 1,
          provisionTopics: false,
          shutdownTimeoutMs: 5000,
          lagIntervalMs: 0,
        }),
      }),
    ],
    providers: [{ provide: BACKFILL_VIEW, inject: [StateViews], useFactory: openBackfillView }],
  })
  class BackfillCliModule {}
  const app = await NestFactory.createApplicationContext(BackfillCliModule, { logger: ['error'] });
  await app.init();
  try {
    const summary = await requestBackfill(
      app.get(MessagePublisher),
      app.get<CompactedTopicView<BackfillRecord>>(BACKFILL_VIEW),
      args,
    );
    process.stdout.write((args.json ? JSON.stringify(summary) : formatBackfillSummary(summary)) + '\n');
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: Error) => {
      process.stderr.write(`backfill: ${e.message}\n`);
      process.exit(1);
    },
  );
}
