import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, ST_VENDOR_REVISION, Topics } from '@connector/contracts';
import { eventually, startMessagingHarness, uniquePrefix } from '../index';

jest.setTimeout(150000);

const ROOT = join(__dirname, '../../../..');

describe('a consumer killed with SIGKILL mid-stream', () => {
  it('loses nothing after a restart and reprocesses at most the uncommitted in-flight message per partition', async () => {
    const prefix = uniquePrefix('kill');
    const out = join(mkdtempSync(join(tmpdir(), 'kill-')), 'handled.txt');
    const producer = await startMessagingHarness(prefix, [], 'producer');
    try {
      const child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', join(__dirname, 'support/slow-consumer.process.ts'), prefix, out],
        {
          cwd: ROOT,
          env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json') },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`consumer process exited early (${code})`)));
      });
      const sent = Array.from({ length: 60 }, (_, i) =>
        createEnvelope({
          type: ST_VENDOR_REVISION,
          tenant: 'acme',
          source: 'poll',
          payload: { vendorId: i + 1, name: `V${i}`, active: true, modifiedOn: '2026-11-20T10:00:00Z' },
        }),
      );
      await Promise.all(
        sent.map((e, i) => producer.publisher.publish(Topics.StVendor, e, { key: `acme:vendor:${i}` })),
      );
      const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
      await eventually(lines, (l) => l.length >= 15, 'some messages handled before the kill');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const beforeKill = lines().length;
      expect(beforeKill).toBeLessThan(60);

      const handledAfter: string[] = [];
      const restarted = await startMessagingHarness(
        prefix,
        [
          {
            group: 'vendors',
            topics: [Topics.StVendor],
            handler: async (m) => void handledAfter.push(m.envelope.id),
          },
        ],
        'restarted',
      );
      try {
        const all = () => new Set([...lines(), ...handledAfter]);
        await eventually(
          () => all().size,
          (n) => n === 60,
          'every message handled across both consumers',
          60000,
        );
        expect([...all()].sort()).toEqual(sent.map((e) => e.id).sort());
        const reprocessed = lines().filter((id) => handledAfter.includes(id)).length;
        // Handled-but-uncommitted at the kill: at most one in flight per partition (3 partitions).
        expect(reprocessed).toBeLessThanOrEqual(3);
      } finally {
        await restarted.close();
      }
    } finally {
      await producer.close();
    }
  });
});
