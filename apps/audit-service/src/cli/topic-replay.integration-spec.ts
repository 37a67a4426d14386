import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createEnvelope, recordKey, ST_VENDOR_REVISION, Topics } from '@connector/contracts';
import { BusContext, ConsumerGroupAdmin } from '@connector/messaging';
import { eventually, MessagingHarness, startMessagingHarness, TEST_BROKERS, uniquePrefix } from '@connector/testing';
import { parseArgs, runTopicReplay } from './topic-replay.cli';

jest.setTimeout(120000);

function vendor(i: number) {
  return createEnvelope({
    type: ST_VENDOR_REVISION,
    tenant: 'acme',
    source: 'poll',
    payload: { vendorId: i + 1, name: `Vendor ${i}`, active: true, modifiedOn: '2026-11-20T10:00:00Z' },
  });
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (l: string) => void out.push(l),
      err: (l: string) => void err.push(l),
      env: { KAFKA_BROKERS: TEST_BROKERS.join(',') },
    },
  };
}

const sum = (ps: Array<{ offset: string }>) => ps.reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);

describe('topic-replay CLI (consumer group offset reset) on a real broker', () => {
  const prefix = uniquePrefix('replaycli');
  let producer: MessagingHarness;
  let consumer: MessagingHarness | null = null;
  let admin: ConsumerGroupAdmin;
  const seen: string[] = [];
  const reg = {
    group: 'audit-service',
    topics: [Topics.StVendor],
    handler: async (m: BusContext) => void seen.push(m.envelope.id),
  };

  beforeAll(async () => {
    producer = await startMessagingHarness(prefix, [], 'producer');
    admin = producer.admin;
  });
  afterAll(async () => {
    await consumer?.close();
    await producer?.close();
  });

  it('validates its arguments', () => {
    expect(parseArgs(['--group', 'g', '--to', 'yesterday', '--all-topics'], {})).toContain('not an ISO timestamp');
    expect(parseArgs(['--group', 'g', '--to', '2026-11-20T00:00:00Z', '--topics', 'nope.v1'], {})).toContain(
      'unknown topic',
    );
    expect(parseArgs(['--to', '2026-11-20T00:00:00Z', '--all-topics'], {})).toBe('--group is required');
    expect(parseArgs(['--group', 'g', '--to', '2026-11-20T00:00:00Z'], {})).toBe('give --topics or --all-topics');
  });

  it('refuses while the group is active, dry-runs without changes, then moves offsets to the timestamp', async () => {
    consumer = await startMessagingHarness(prefix, [reg], 'c1');
    for (let i = 0; i < 3; i++)
      await producer.publisher.publish(Topics.StVendor, vendor(i), { key: recordKey('acme', 'vendor', i) });
    await eventually(
      () => seen.length,
      (n) => n === 3,
      'first 3 consumed',
    );
    // Broker timestamps are milliseconds: leave a clear gap on both sides of the cut.
    await new Promise((r) => setTimeout(r, 50));
    const cut = new Date();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 3; i < 5; i++)
      await producer.publisher.publish(Topics.StVendor, vendor(i), { key: recordKey('acme', 'vendor', i) });
    await eventually(
      () => seen.length,
      (n) => n === 5,
      'all 5 consumed',
    );
    await eventually(
      () => admin.committedOffsets('audit-service', Topics.StVendor),
      (ps) => sum(ps) === 5,
      'committed 5',
    );

    const active = io();
    const args = [
      '--group',
      'audit-service',
      '--topics',
      Topics.StVendor,
      '--to',
      cut.toISOString(),
      '--prefix',
      prefix,
    ];
    expect(await runTopicReplay(args, active.io)).toBe(3);
    expect(active.err.join('\n')).toMatch(
      /consumer group "audit-service" is active .* stop its consumers before resetting offsets/,
    );
    expect(sum(await admin.committedOffsets('audit-service', Topics.StVendor))).toBe(5);

    await consumer.close();
    consumer = null;
    const dry = io();
    expect(await runTopicReplay([...args, '--dry-run'], dry.io)).toBe(0);
    expect(dry.out[0]).toContain('dry run (nothing changed)');
    expect(sum(await admin.committedOffsets('audit-service', Topics.StVendor))).toBe(5);

    const real = io();
    expect(await runTopicReplay(args, real.io)).toBe(0);
    const plan = JSON.parse(real.out[real.out.length - 1]) as { applied: boolean; timestamp: string };
    expect(plan).toMatchObject({ applied: true, timestamp: cut.toISOString() });
    // Offsets now point at the first message at or after the timestamp: the 3 earlier ones stay consumed.
    expect(sum(await admin.committedOffsets('audit-service', Topics.StVendor))).toBe(3);
    consumer = await startMessagingHarness(prefix, [reg], 'c2');
    await eventually(
      () => seen.length,
      (n) => n === 7,
      'the 2 messages after the timestamp re-read',
    );
    expect(seen.slice(5).sort()).toEqual(seen.slice(3, 5).sort());
  });

  it('as a process: exits non-zero with a clear error while the group is active', () => {
    if (!consumer) throw new Error('previous test leaves the group active');
    const cli = join(__dirname, 'topic-replay.cli.ts');
    const res = spawnSync(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-r',
        'tsconfig-paths/register',
        cli,
        '--group',
        'audit-service',
        '--all-topics',
        '--to',
        '2026-01-01T00:00:00Z',
        '--prefix',
        prefix,
      ],
      {
        cwd: join(__dirname, '..', '..', '..', '..'),
        env: {
          ...process.env,
          KAFKA_BROKERS: TEST_BROKERS.join(','),
          TS_NODE_PROJECT: 'tsconfig.base.json',
          SWC_NODE_PROJECT: 'tsconfig.base.json',
        },
        encoding: 'utf8',
        timeout: 90000,
      },
    );
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('is active');
  });
});
