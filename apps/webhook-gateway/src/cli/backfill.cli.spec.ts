import { parseBackfillArgs } from './backfill.cli';

describe('backfill CLI arguments', () => {
  it('reads the tenant, the window and the flags, and refuses what it cannot use', () => {
    expect(parseBackfillArgs(['acme', '--from', '2026-10-01', '--to', '2026-10-31', '--dry-run'])).toMatchObject({
      tenant: 'acme',
      from: '2026-10-01',
      to: '2026-10-31',
      dryRun: true,
      json: false,
      timeoutMs: 900_000,
    });
    expect(() => parseBackfillArgs(['--from', '2026-10-31', '--to', '2026-10-01'])).toThrow(
      'the tenant id comes first',
    );
    expect(() => parseBackfillArgs(['acme', '--from', '2026-10-31', '--to', '2026-10-01'])).toThrow(
      '--from must not be after --to',
    );
    expect(() => parseBackfillArgs(['acme', '--from', '2026-02-30', '--to', '2026-03-01'])).toThrow(
      '--from must be a date',
    );
  });
});
