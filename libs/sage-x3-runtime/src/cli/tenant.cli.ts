/* `npm run tenant -- …`: the tenants-file commands of libs/config (keygen, add, set-secret, rekey, check…), plus
 *
 *   tenant seed-x3-refresh-token <tenants.json> <tenant> [--expires-at <ISO date-time>]   < refresh-token
 *
 * which publishes a newly approved Sage X3 refresh token to connector.x3-credentials.v1 (Kafka: KAFKA_BROKERS,
 * KAFKA_TOPIC_PREFIX; encrypted with CONNECTOR_ENCRYPTION_KEY). The running apps take it without a restart; the
 * tenants file is not changed (its refreshToken only bootstraps a tenant the topic knows nothing about).
 */
import { readFileSync } from 'node:fs';
import { runTenantCli, validateEnv } from '@connector/config';
import { seedX3RefreshToken } from '../lib/credentials/x3-credentials.seeder';
import { X3AppEnv } from '../lib/x3-app.env';

async function seed(argv: string[], out: (s: string) => void): Promise<number> {
  const [file, tenant, ...flags] = argv;
  if (!file || !tenant) {
    out('usage: tenant seed-x3-refresh-token <tenants.json> <tenant> [--expires-at <ISO date-time>] < refresh-token');
    return 2;
  }
  const at = flags.indexOf('--expires-at');
  const expiresAt = at >= 0 ? new Date(flags[at + 1] ?? '') : undefined;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new Error('--expires-at must be an ISO date-time');
  const token = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (!token) throw new Error('the refresh token is read from standard input, which is empty');
  const env = validateEnv(X3AppEnv, { ...process.env, TENANTS_FILE: file });
  const set = await seedX3RefreshToken(env, tenant, token, expiresAt);
  out(
    `${tenant}: Sage X3 refresh token seeded (generation ${set.generation}` +
      `${set.refreshTokenExpiresAt ? `, expires ${new Date(set.refreshTokenExpiresAt).toISOString()}` : ''}); ` +
      'the running x3-poster and x3-poller use it from now on',
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s + '\n');
  if (argv[0] === 'seed-x3-refresh-token') return seed(argv.slice(1), out);
  return runTenantCli(argv, out);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  },
);
