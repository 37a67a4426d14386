import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteDatabase } from './database';
import { loadMigrations, migrate } from './migrator';

jest.setTimeout(60000);

describe('migrations on PGlite', () => {
  let db: PgliteDatabase;
  beforeAll(async () => {
    db = await PgliteDatabase.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('apply the shipped migrations in order once, recording each in schema_migrations', async () => {
    const shipped = loadMigrations();
    expect(shipped.map((m) => m.version)).toEqual([...shipped.map((m) => m.version)].sort((a, b) => a - b));
    expect(await migrate(db, shipped)).toEqual(shipped.map((m) => m.version));
    expect(await migrate(db, shipped)).toEqual([]);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.rows.map((r) => r.version)).toEqual(shipped.map((m) => m.version));
    // The trail is idempotent on topic/partition/offset.
    const insert = `INSERT INTO audit_messages (topic, partition, "offset", headers, valid, message_ts) VALUES ('t', 0, 5, '{}', true, now()) ON CONFLICT (topic, partition, "offset") DO NOTHING`;
    expect((await db.query(insert)).rowCount).toBe(1);
    expect((await db.query(insert)).rowCount).toBe(0);
    // NUMERIC keeps decimals exact.
    const sum = await db.query<{ s: string }>(`SELECT (0.1::numeric + 0.2::numeric)::text AS s`);
    expect(sum.rows[0].s).toBe('0.3');
  });

  it('a failing migration leaves nothing behind, and a changed applied migration is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-migrations-'));
    writeFileSync(join(dir, '100_ok.sql'), 'CREATE TABLE m_ok (id int);');
    writeFileSync(join(dir, '101_broken.sql'), 'CREATE TABLE m_half (id int); SELECT * FROM no_such_table;');
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow('no_such_table');
    const tables = await db.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_name IN ('m_ok', 'm_half')`,
    );
    expect(tables.rows.map((r) => r.t)).toEqual(['m_ok']);
    expect((await db.query('SELECT 1 FROM schema_migrations WHERE version = 101')).rows).toHaveLength(0);
    writeFileSync(join(dir, '101_broken.sql'), 'CREATE TABLE m_fixed (id int);');
    expect(await migrate(db, loadMigrations(dir))).toEqual([101]);
    writeFileSync(join(dir, '100_ok.sql'), 'CREATE TABLE m_ok (id int, x int);');
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow('checksum mismatch');
  });

  it('refuses two migrations with the same number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-migrations-'));
    writeFileSync(join(dir, '001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '001_b.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow('duplicate migration version 1');
  });
});
