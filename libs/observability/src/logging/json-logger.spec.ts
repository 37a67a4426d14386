import { JsonLogger } from './json-logger';
import { LogContext } from './log-context';
import { Redactor } from './redaction';

describe('JSON logger', () => {
  afterEach(() => Redactor.clear());

  it('writes one JSON line with tenant and correlation id from the context', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('mapper', 'info', (l) => lines.push(l));
    LogContext.run({ tenant: 'acme', correlationId: 'evt-1' }, () =>
      logger.log({ msg: 'mapped', jobId: 42 }, 'job-mapping'),
    );
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({
      level: 'info',
      app: 'mapper',
      context: 'job-mapping',
      tenant: 'acme',
      correlationId: 'evt-1',
      msg: 'mapped',
      jobId: 42,
    });
    logger.debug('not shown at info');
    expect(lines).toHaveLength(1);
  });

  it('never prints a registered secret, a secret-looking field or a bearer token', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('gateway', 'info', (l) => lines.push(l));
    Redactor.register('test-client-secret-not-real');
    logger.warn({
      msg: 'token call failed for test-client-secret-not-real',
      clientSecret: 'anything',
      password: 'p4ss-not-real',
      headers: { authorization: 'Bearer abc.def.ghi-token' },
    });
    logger.error(new Error('upstream said Bearer eyJhbGciOi.payload.sig'));
    const out = lines.join('\n');
    expect(out).not.toContain('test-client-secret-not-real');
    expect(out).not.toContain('p4ss-not-real');
    expect(out).not.toContain('abc.def.ghi-token');
    expect(out).not.toContain('eyJhbGciOi.payload.sig');
    expect(out).toContain('[REDACTED]');
  });
});
