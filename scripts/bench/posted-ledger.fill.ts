/* Shared by the start-up benchmarks: fills the posted ledger (connector.posted-ledger.v1) with N entries. */
import { createEnvelope, POSTED_LEDGER_ENTRY, PostedLedgerEntryV1, Topics } from '@connector/contracts';
import { startMessagingHarness } from '@connector/testing';

function entry(tenant: string, i: number) {
  return createEnvelope<PostedLedgerEntryV1>({
    type: POSTED_LEDGER_ENTRY,
    tenant,
    source: 'poster',
    payload: {
      externalRef: `${tenant}:JOB:${100000 + i}:R1`,
      documentKind: 'journal-entry',
      x3DocumentNumber: `ODT-2026-${String(i).padStart(6, '0')}`,
      postedAt: '2026-11-20T15:00:00.000Z',
    },
  });
}

/** Publishes `entries` ledger entries of `tenant` (keys as the x3-poster writes them) and prints how long it took. */
export async function fillPostedLedger(prefix: string, tenant: string, entries: number): Promise<void> {
  const writer = await startMessagingHarness(prefix, [], 'bench-writer');
  const started = Date.now();
  for (let i = 0; i < entries; i += 5000)
    await Promise.all(
      Array.from({ length: Math.min(5000, entries - i) }, (_, j) => {
        const e = entry(tenant, i + j);
        return writer.publisher.publish(Topics.PostedLedger, e, { key: `${tenant}:${e.payload.externalRef}` });
      }),
    );
  await writer.close();
  console.log(
    `filled ${Topics.PostedLedger} with ${entries} entries in ${((Date.now() - started) / 1000).toFixed(2)} s`,
  );
}
