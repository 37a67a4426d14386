/* Topic replay: move a consumer group's committed offsets back (or forward) to a point in time, so the group
 * re-reads every message from then on (bulk reprocessing). The group's consumers must be stopped first: the
 * broker ignores offset changes of an active group, so this refuses (exit 3) while it has members.
 *
 *   topic-replay --group <group> --to <ISO timestamp> (--topics <t1,t2,…> | --all-topics) [--dry-run]
 *                [--brokers host:port,…] [--prefix <KAFKA_TOPIC_PREFIX>]
 *
 * Run: npm run topic-replay -- …
 * Topics and group are logical names (as in libs/contracts); --prefix (default $KAFKA_TOPIC_PREFIX) namespaces them.
 * Exit codes: 0 done (or dry run printed), 2 usage error, 3 group active, 1 other failure.
 */
import { topicCatalogue } from '@connector/contracts';
import { ConsumerGroupActiveError, ConsumerGroupAdmin, OffsetResetPlan } from '@connector/messaging';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE =
  'usage: topic-replay --group <group> --to <ISO timestamp> (--topics <t1,t2> | --all-topics) [--dry-run] [--brokers host:port,...] [--prefix <prefix>]';

interface Args {
  group: string;
  to: Date;
  topics: string[];
  dryRun: boolean;
  brokers: string[];
  prefix?: string;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined>): Args | string {
  const opts: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) return `unexpected argument "${a}"`;
    const name = a.slice(2);
    if (name === 'dry-run' || name === 'all-topics') opts[name] = true;
    else if (['group', 'to', 'topics', 'brokers', 'prefix'].includes(name)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return `--${name} needs a value`;
      opts[name] = v;
    } else return `unknown option "${a}"`;
  }
  const group = opts['group'];
  if (typeof group !== 'string') return '--group is required';
  const to = opts['to'];
  if (typeof to !== 'string') return '--to is required';
  const at = new Date(to);
  if (!/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(to) || Number.isNaN(at.getTime()))
    return `--to "${to}" is not an ISO timestamp`;
  const known = topicCatalogue().map((t) => t.name);
  let topics: string[];
  if (opts['all-topics'] === true) topics = known;
  else if (typeof opts['topics'] === 'string')
    topics = opts['topics']
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  else return 'give --topics or --all-topics';
  const unknown = topics.filter((t) => !known.includes(t));
  if (unknown.length) return `unknown topic(s): ${unknown.join(', ')} (use logical names from the catalogue)`;
  const brokers = (typeof opts['brokers'] === 'string' ? opts['brokers'] : (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'))
    .split(',')
    .map((b) => b.trim());
  const prefix = typeof opts['prefix'] === 'string' ? opts['prefix'] : env['KAFKA_TOPIC_PREFIX'] || undefined;
  return { group, to: at, topics, dryRun: opts['dry-run'] === true, brokers, prefix };
}

function describe(plan: OffsetResetPlan): string[] {
  const lines = [`${plan.applied ? 'reset' : 'dry run (nothing changed)'}: group ${plan.groupId} → ${plan.timestamp}`];
  for (const t of plan.topics)
    for (const p of t.partitions) lines.push(`  ${t.topic}[${p.partition}] ${p.from} → ${p.to}`);
  return lines;
}

export async function runTopicReplay(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, io.env);
  if (typeof args === 'string') {
    io.err(`error: ${args}`);
    io.err(USAGE);
    return 2;
  }
  const admin = ConsumerGroupAdmin.connect({
    brokers: args.brokers,
    topicPrefix: args.prefix,
    clientId: 'topic-replay-cli',
  });
  try {
    const plan = await admin.resetToTimestamp(args.group, args.topics, args.to, { dryRun: args.dryRun });
    for (const l of describe(plan)) io.out(l);
    io.out(JSON.stringify(plan));
    return 0;
  } catch (e) {
    if (e instanceof ConsumerGroupActiveError) {
      io.err(`error: ${e.message}`);
      return 3;
    }
    io.err(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

if (require.main === module) {
  runTopicReplay(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
  })
    .then((code) => (process.exitCode = code))
    .catch((e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
    });
}
