import { SageX3Client, SageX3ClientConfig, SageX3Logger } from '@connector/sage-x3';
import { DEMO_CREDENTIALS } from '../demo-seed';
import { SageX3Simulator } from '../sage-x3-simulator';

/** Shared by the specs that drive the real client against the simulator. */

export const FOLDER = 'SEED';

export interface CapturedLogger extends SageX3Logger {
  warnings: string[];
  errors: string[];
}

export function captureLogger(): CapturedLogger {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    warn: (m) => warnings.push(m),
    error: (m) => errors.push(m),
  };
}

type Overrides = Partial<Omit<SageX3ClientConfig, 'auth'>> & { auth?: SageX3ClientConfig['auth'] };

const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

export function basicClient(sim: SageX3Simulator, overrides: Overrides = {}): SageX3Client {
  return new SageX3Client({
    baseUrl: sim.url,
    folder: FOLDER,
    auth: { mode: 'basic', user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password },
    clock: sim.clock,
    retry: FAST_RETRY,
    createRecoverySettleMs: 1,
    logger: captureLogger(),
    ...overrides,
  });
}

export function jwtClient(sim: SageX3Simulator, overrides: Overrides = {}): SageX3Client {
  return new SageX3Client({
    baseUrl: sim.url,
    folder: FOLDER,
    auth: {
      mode: 'jwt',
      clientId: DEMO_CREDENTIALS.jwt.clientId,
      secret: DEMO_CREDENTIALS.jwt.secret,
      user: DEMO_CREDENTIALS.jwt.user,
      audience: `${sim.url}/xtrem/api`,
    },
    clock: sim.clock,
    retry: FAST_RETRY,
    logger: captureLogger(),
    ...overrides,
  });
}

/** A balanced two-line entry on open period June 2025 with an allowed cost center. */
export function journalEntryBody(
  overrides: Record<string, unknown> = {},
  lines?: Array<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    FCY: 'US011',
    TYP: 'ODT',
    JOU: 'ODT',
    ACCDAT: '2025-06-15',
    CUR: 'USD',
    DESVCR: 'ServiceTitan invoice 1001',
    GACCENTRYD: lines ?? [
      { ACC: '601000', SNS: 1, AMTCUR: '125.40', DES: 'Materials', CCE: 'HVAC' },
      { ACC: '401000', SNS: -1, AMTCUR: '125.40', DES: 'Supplier' },
    ],
    ...overrides,
  };
}

/** An unmatched purchase invoice of SUP001 on PO0001 line 1000, supplier invoice number `number`. */
export function purchaseInvoiceBody(number: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    FCY: 'US011',
    BPR: 'SUP001',
    BPRVCR: number,
    BPRDAT: '2025-06-01',
    ACCDAT: '2025-06-02',
    CUR: 'USD',
    AMTNOT: '125.00',
    PINVOICED: [{ POHNUM: 'PO0001', POPLIN: 1000, QTYUOM: '10', NETPRI: '12.50' }],
    ...overrides,
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
