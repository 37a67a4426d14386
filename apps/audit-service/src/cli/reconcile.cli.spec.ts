import { parseReconcileArgs, runReconcile } from './reconcile.cli';

const env = { AUDIT_API_TOKEN: 'test-token-not-a-real-secret' };

describe('reconcile CLI arguments', () => {
  it('takes a tenant, a period, a format and a URL (AUDIT_URL, else the local audit-service)', () => {
    expect(parseReconcileArgs(['acme', '--period', '2026-11'], env)).toEqual({
      tenant: 'acme',
      period: '2026-11',
      format: 'text',
      url: 'http://127.0.0.1:3005',
      token: env.AUDIT_API_TOKEN,
    });
    expect(
      parseReconcileArgs(['--period', '2026-01', 'acme', '--format', 'csv'], {
        ...env,
        AUDIT_URL: 'https://audit.example.com/',
      }),
    ).toMatchObject({ url: 'https://audit.example.com', format: 'csv' });
  });

  it.each([
    [[], 'give exactly one tenant'],
    [['acme', 'globex', '--period', '2026-11'], 'give exactly one tenant'],
    [['Acme!', '--period', '2026-11'], 'is not a tenant id'],
    [['acme'], '--period is required'],
    [['acme', '--period', '2026-1'], 'is not a month (YYYY-MM)'],
    [['acme', '--period'], '--period needs a value'],
    [['acme', '--period', '2026-11', '--format', 'pdf'], '--format must be one of'],
    [['acme', '--period', '2026-11', '--url', 'ftp://x'], 'is not an http(s) URL'],
    [['acme', '--period', '2026-11', '--verbose', 'x'], 'unknown option'],
  ])('%j → %s', (argv, message) => {
    expect(parseReconcileArgs(argv as string[], env)).toContain(message);
  });

  it('needs a token; a usage error exits 2 with the usage line', async () => {
    expect(parseReconcileArgs(['acme', '--period', '2026-11'], {})).toContain('AUDIT_API_TOKEN is not set');
    const err: string[] = [];
    const code = await runReconcile(['acme'], { out: () => undefined, err: (l) => void err.push(l), env });
    expect(code).toBe(2);
    expect(err[1]).toMatch(/^usage: reconcile <tenant> --period YYYY-MM/);
  });

  it('an unreachable audit-service exits 3 and says where it looked', async () => {
    const err: string[] = [];
    const code = await runReconcile(['acme', '--period', '2026-11', '--url', 'http://127.0.0.1:9'], {
      out: () => undefined,
      err: (l) => void err.push(l),
      env,
    });
    expect(code).toBe(3);
    expect(err[0]).toContain('cannot reach the audit-service at http://127.0.0.1:9');
  });
});
