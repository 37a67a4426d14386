import { spawn, spawnSync } from 'node:child_process';
import { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../app-under-test';
import { TEST_BROKERS, uniquePrefix } from '../kafka-test.harness';

jest.setTimeout(120000);

const ROOT = join(__dirname, '../../../..');

/** Starts an app's real main.ts as a process with the given environment and returns how it ended. */
function boot(app: string, env: Record<string, string>): { status: number | null; stderr: string } {
  const res = spawnSync(process.execPath, ['-r', '@swc-node/register', join(ROOT, `apps/${app}/src/main.ts`)], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'), ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: res.status, stderr: res.stderr };
}

describe('apps refuse to start on a bad environment, naming the variable', () => {
  it.each(['webhook-gateway', 'mapper', 'x3-poster', 'x3-poller'])(
    '%s without TENANTS_FILE and CONNECTOR_ENCRYPTION_KEY exits 78',
    (app) => {
      const { status, stderr } = boot(app, {});
      expect(status).toBe(78);
      expect(stderr).toContain('TENANTS_FILE is required');
      expect(stderr).toContain('CONNECTOR_ENCRYPTION_KEY is required');
    },
  );

  it('an invalid value is named without echoing it', () => {
    const { status, stderr } = boot('audit-service', {
      KAFKA_BROKERS: 'not-a-broker-list',
      PORT: '99999',
      AUDIT_PAYLOAD_RETENTION_DAYS: 'soon',
    });
    expect(status).toBe(78);
    expect(stderr).toContain('KAFKA_BROKERS must be a comma-separated host:port list');
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('AUDIT_PAYLOAD_RETENTION_DAYS');
    expect(stderr).not.toContain('not-a-broker-list');
  });

  it('a tenants file that cannot be decrypted stops the app with the reason', () => {
    const { status, stderr } = boot('mapper', {
      TENANTS_FILE: join(ROOT, 'does-not-exist.json'),
      CONNECTOR_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      KAFKA_BROKERS: '127.0.0.1:9',
    });
    expect(status).not.toBe(0);
    expect(stderr + '').toMatch(/cannot read tenants file .*does-not-exist\.json: ENOENT/);
  });
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(port, host);
  });
}

describe('bind address (HOST) and HTTP hygiene of a real app process', () => {
  it('an invalid HOST stops the app, naming the variable', () => {
    const { status, stderr } = boot('audit-service', { HOST: 'every-interface' });
    expect(status).toBe(78);
    expect(stderr).toContain('HOST must be an IP address');
  });

  it('HOST=127.0.0.1 listens on loopback only; answers carry nosniff and no X-Powered-By', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/audit-service/src/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
        HOST: '127.0.0.1',
        PORT: String(port),
        KAFKA_BROKERS: TEST_BROKERS.join(','),
        KAFKA_TOPIC_PREFIX: uniquePrefix('bind'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      // A wait bound, not a start-up target (that is npm run bench:startup): compiling from source on a busy shared
      // machine has taken over 90 s.
      const deadline = Date.now() + 240000;
      let res: Response | null = null;
      while (!res && Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`audit-service exited ${child.exitCode}: ${stderr}`);
        res = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null);
        if (!res) await new Promise((r) => setTimeout(r, 250));
      }
      expect(res?.status).toBe(200);
      expect(res?.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res?.headers.get('x-powered-by')).toBeNull();
      const api = await fetch(`http://127.0.0.1:${port}/api/records`);
      expect(api.status).toBe(401);
      expect(api.headers.get('x-content-type-options')).toBe('nosniff');
      expect(api.headers.get('x-powered-by')).toBeNull();
      // Not reachable on this host's other addresses (when it has any).
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && i.family === 'IPv4' && !i.internal)
        .map((i) => i!.address);
      for (const address of others) expect(await canConnect(address, port)).toBe(false);
      expect(await canConnect('127.0.0.1', port)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 300000);
});
