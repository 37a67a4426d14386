import { createRequire } from 'node:module';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { Pool, PoolClient } from 'pg';

type PgliteModule = typeof import('@electric-sql/pglite');

/**
 * PGlite is loaded with Node's own require: it imports Node built-ins dynamically (`import('fs')`), which Jest's
 * module sandbox refuses without --experimental-vm-modules; Node's loader handles it in tests and production alike.
 */
function loadPglite(): PgliteModule {
  // process.getBuiltinModule reaches Node's real `module` even where a test runner substitutes its own.
  const mod = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(
    'node:module',
  ) as { createRequire: typeof createRequire } | undefined;
  return (mod ?? { createRequire }).createRequire(__filename)('@electric-sql/pglite') as PgliteModule;
}

export type SqlParam = string | number | boolean | null | Buffer | Date;

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** What repositories use: one statement with positional parameters ($1…), same SQL on both drivers. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<QueryResult<T>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The audit store's database: embedded PGlite (no server, the default) or a PostgreSQL server through a `pg`
 * pool. Type differences between drivers (int8 as number vs string, bytea as Uint8Array vs Buffer) are
 * avoided in SQL with explicit casts (::text, ::int) and normalised with the helpers below.
 */
export abstract class Database implements SqlExecutor {
  abstract readonly driver: 'pglite' | 'postgres';
  abstract query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<QueryResult<T>>;
  abstract exec(sql: string): Promise<void>;
  /** Runs fn in one transaction (committed when it resolves, rolled back when it throws). */
  abstract transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
}

export class PgliteDatabase extends Database {
  readonly driver = 'pglite' as const;
  private constructor(private readonly db: PGlite) {
    super();
  }

  /** dataDir: a directory for a persistent store; undefined: in memory (lost on exit). */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const { PGlite: Lite } = loadPglite();
    const db = dataDir ? await Lite.create(dataDir) : await Lite.create();
    return new PgliteDatabase(db);
  }

  async query<T>(sql: string, params: SqlParam[] = []): Promise<QueryResult<T>> {
    const r = await this.db.query<T>(sql, params);
    return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx: Transaction) => {
      const exec: SqlExecutor = {
        query: async <R>(sql: string, params: SqlParam[] = []) => {
          const r = await tx.query<R>(sql, params);
          return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
        },
        exec: async (sql: string) => void (await tx.exec(sql)),
      };
      return fn(exec);
    });
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

export class PostgresDatabase extends Database {
  readonly driver = 'postgres' as const;
  constructor(private readonly pool: Pool) {
    super();
  }

  /** schema: optional search_path for every pooled connection (a shared database, isolated test runs). */
  static open(url: string, opts: { poolSize?: number; schema?: string } = {}): PostgresDatabase {
    const pool = new Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      idleTimeoutMillis: 30000,
      connectionTimeoutMillis: 10000,
    });
    if (opts.schema) {
      const schema = quoteIdent(opts.schema);
      // Queued before any other query on the new connection (pg runs a client's queries in order).
      pool.on(
        'connect',
        (client) =>
          void client
            .query(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`)
            .catch(() => undefined),
      );
    }
    // An idle client losing its server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool);
  }

  async query<T>(sql: string, params: SqlParam[] = []): Promise<QueryResult<T>> {
    const r = await this.pool.query(sql, params);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    const exec: SqlExecutor = {
      query: async <R>(sql: string, params: SqlParam[] = []) => {
        const r = await client.query(sql, params);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
      },
      exec: async (sql: string) => void (await client.query(sql)),
    };
    try {
      await client.query('BEGIN');
      const result = await fn(exec);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier "${name}"`);
  return `"${name}"`;
}

/** DATABASE_URL set → PostgreSQL server; otherwise embedded PGlite (AUDIT_PGLITE_DIR or in memory). */
export async function openDatabase(cfg: {
  url?: string;
  schema?: string;
  poolSize?: number;
  pgliteDir?: string;
}): Promise<Database> {
  if (cfg.url) return PostgresDatabase.open(cfg.url, { poolSize: cfg.poolSize, schema: cfg.schema });
  return PgliteDatabase.open(cfg.pgliteDir);
}

export function toIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return new Date(String(v)).toISOString();
}

export function toBuffer(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return null;
}
