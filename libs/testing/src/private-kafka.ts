import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app-under-test';

const run = promisify(execFile);

/** The repository root (scripts/kafka.sh), from libs/testing/src. */
const ROOT = resolve(__dirname, '../../..');

/**
 * A single-node Kafka broker of its own for a fault test (scripts/kafka.sh on free ports, data in a temp dir), so a
 * suite can pause, stop and restart a real broker without touching the shared one on 9092. Costs a JVM (~10–20 s to
 * start): one per suite, closed in afterAll.
 */
export interface PrivateKafka {
  /** `127.0.0.1:<port>` */
  brokers: string[];
  /** SIGSTOP: the broker keeps its connections but answers nothing (a hung broker, a long GC pause). */
  pause(): void;
  /** SIGCONT: it answers what was sent meanwhile. */
  resume(): void;
  /** A clean stop (connections refused until start()); data is kept. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and deletes its data. */
  close(): Promise<void>;
}

export async function startPrivateKafka(opts: { heap?: string } = {}): Promise<PrivateKafka> {
  const port = await freePort();
  const controllerPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'private-kafka-'));
  // The broker's jars come from the shared cache; its run directory (pid, logs, config) and data stay in `dir`.
  const sharedCache = join(ROOT, '.cache/kafka');
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  const pom = readFileSync(join(ROOT, 'scripts/kafka/pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  const libs = `libs-${version}`;
  if (!version || !existsSync(join(sharedCache, libs, '.complete')))
    throw new Error(`Kafka jars missing in ${sharedCache}/${libs}: run scripts/kafka.sh fetch`);
  symlinkSync(join(sharedCache, libs), join(cache, libs));
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: join(dir, 'data'),
    KAFKA_CACHE_DIR: cache,
    KAFKA_HEAP: opts.heap ?? '512m',
  };
  const script = (command: 'start' | 'stop') =>
    run('bash', [join(ROOT, 'scripts/kafka.sh'), command], { env, timeout: 180_000 }).then(() => undefined);
  const pid = () => Number(readFileSync(join(cache, `run-${port}`, 'kafka.pid'), 'utf8').trim());
  await script('start');
  return {
    brokers: [`127.0.0.1:${port}`],
    pause: () => process.kill(pid(), 'SIGSTOP'),
    resume: () => process.kill(pid(), 'SIGCONT'),
    stop: () => script('stop'),
    start: () => script('start'),
    close: async () => {
      try {
        process.kill(pid(), 'SIGCONT');
      } catch {
        /* not running */
      }
      await script('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
