/* Tenant secrets CLI. Secret values are read from standard input (never from arguments, which end up in
 * shell history and process lists) and are never printed.
 *
 *   tenant keygen
 *   tenant add <tenants.json>            < plaintext-tenant.json
 *   tenant set-secret <tenants.json> <tenant> <path> [--rotate]   < secret
 *   tenant retire-old-webhook-secret <tenants.json> <tenant>
 *   tenant rekey <tenants.json>          (CONNECTOR_ENCRYPTION_KEY → NEW_CONNECTOR_ENCRYPTION_KEY)
 *   tenant check <tenants.json>
 *
 * `npm run tenant` runs libs/sage-x3-runtime/src/cli/tenant.cli.ts, which adds `seed-x3-refresh-token` (it publishes
 * to Kafka, which this library may not import) and hands every other command to runTenantCli below.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SecretBox } from '../secrets/secret-box';
import { TenantRegistry } from '../tenants/tenant-registry';
import { TenantSecretsEditor } from '../tenants/tenant-secrets.editor';

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function key(name: string): SecretBox {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return new SecretBox(v.trim());
}

function load(file: string): TenantSecretsEditor {
  return existsSync(file)
    ? new TenantSecretsEditor(JSON.parse(readFileSync(file, 'utf8')))
    : TenantSecretsEditor.empty();
}

function save(file: string, editor: TenantSecretsEditor): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(editor.toJSON(), null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function runTenantCli(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  input: () => string = readStdin,
): number {
  const [cmd, file, tenant, path, ...flags] = argv;
  switch (cmd) {
    case 'keygen':
      out(SecretBox.generateKey());
      return 0;
    case 'add': {
      const editor = load(file);
      editor.addTenant(JSON.parse(input()), key('CONNECTOR_ENCRYPTION_KEY'));
      // The whole file must still load (e.g. servicetitan.syncFrom when the pull is on): nothing is saved otherwise.
      TenantRegistry.fromJson(editor.toJSON(), process.env['CONNECTOR_ENCRYPTION_KEY'] ?? '');
      save(file, editor);
      out('tenant added; secrets encrypted');
      return 0;
    }
    case 'set-secret': {
      const value = input().replace(/\r?\n$/, '');
      const editor = load(file);
      editor.setSecret(tenant, path, value, key('CONNECTOR_ENCRYPTION_KEY'), { rotate: flags.includes('--rotate') });
      save(file, editor);
      out(
        `${tenant}: ${path} set${flags.includes('--rotate') ? ' (previous webhook secret kept active for the overlap)' : ''}`,
      );
      return 0;
    }
    case 'retire-old-webhook-secret': {
      const editor = load(file);
      editor.retireOldWebhookSecret(tenant);
      save(file, editor);
      out(`${tenant}: only the newest webhook secret is active`);
      return 0;
    }
    case 'rekey': {
      const editor = load(file);
      const n = editor.rekey(key('CONNECTOR_ENCRYPTION_KEY'), key('NEW_CONNECTOR_ENCRYPTION_KEY'));
      save(file, editor);
      out(`re-encrypted ${n} secrets; now set CONNECTOR_ENCRYPTION_KEY to the new key`);
      return 0;
    }
    case 'check': {
      const reg = TenantRegistry.fromFile(file, process.env['CONNECTOR_ENCRYPTION_KEY'] ?? '');
      for (const t of reg.list())
        out(
          `${t.id}: ok (ServiceTitan tenant ${t.servicetitan.tenantId}, X3 ${t.sageX3.auth.mode} ${t.sageX3.folder})`,
        );
      return 0;
    }
    default:
      out(
        'usage: tenant keygen | add <file> | set-secret <file> <tenant> <path> [--rotate] | retire-old-webhook-secret <file> <tenant> | rekey <file> | check <file> | seed-x3-refresh-token <file> <tenant> [--expires-at <ISO>]',
      );
      return 2;
  }
}

if (require.main === module) {
  try {
    process.exitCode = runTenantCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
