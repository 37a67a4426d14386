import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
