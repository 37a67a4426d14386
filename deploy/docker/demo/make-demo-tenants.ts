/* Builds an encrypted tenants file from config/demo/tenant.template.json for docker-compose, Helm demos and tests.
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register deploy/docker/demo/make-demo-tenants.ts \
 *     <out.json> <servicetitan-simulator-url> <sage-x3-simulator-url>        (key: CONNECTOR_ENCRYPTION_KEY)
 * The demo key and every secret in the template are obviously fake; never reuse them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox, TenantSecretsEditor } from '@connector/config';

/** base64("demo-only-not-a-secret-key-00000"): a documented, deliberately fake key for local demos only. */
export const DEMO_ENCRYPTION_KEY = Buffer.from('demo-only-not-a-secret-key-00000', 'utf8').toString('base64');

export const DEMO_TEMPLATE = join(__dirname, '../../../config/demo/tenant.template.json');

/** Fills ${ST_SIM_URL}/${X3_SIM_URL} and encrypts every secret path with the given key. */
export function buildTenantsFile(
  key: string,
  urls: { servicetitan: string; sageX3: string },
  templateFile = DEMO_TEMPLATE,
): unknown {
  const text = readFileSync(templateFile, 'utf8')
    .split('${ST_SIM_URL}')
    .join(urls.servicetitan)
    .split('${X3_SIM_URL}')
    .join(urls.sageX3);
  const template = JSON.parse(text) as Record<string, unknown>;
  // Mapping rules are owned by the mapper and shipped separately (Helm: mappingFiles); the demo file stays self-contained.
  delete template['mappingRulesFile'];
  const editor = TenantSecretsEditor.empty();
  editor.addTenant(template, new SecretBox(key));
  return editor.toJSON();
}

if (require.main === module) {
  const [out, st, x3] = process.argv.slice(2);
  if (!out || !st || !x3) {
    process.stderr.write('usage: make-demo-tenants.ts <out.json> <servicetitan-url> <sage-x3-url>\n');
    process.exit(2);
  }
  const key = process.env['CONNECTOR_ENCRYPTION_KEY'] || DEMO_ENCRYPTION_KEY;
  writeFileSync(out, JSON.stringify(buildTenantsFile(key, { servicetitan: st, sageX3: x3 }), null, 2) + '\n');
  process.stdout.write(`wrote ${out} (secrets encrypted)\n`);
}
