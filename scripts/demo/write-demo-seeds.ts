/* Writes the demo seeds of both simulators (codes aligned with config/demo/mapping-rules.json; the same seeds the
 * end-to-end suite uses, with January 2025 open so the demo job posts at once).
 *   node -r @swc-node/register scripts/demo/write-demo-seeds.ts <outDir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSeeds } from '../../apps/connector-e2e/src/support/demo-seeds';

const out = process.argv[2] ?? '.cache/demo';
mkdirSync(out, { recursive: true });
const seeds = demoSeeds({ openJanuary2025: true });
writeFileSync(join(out, 'sage-x3-seed.json'), JSON.stringify(seeds.x3, null, 2));
writeFileSync(join(out, 'servicetitan-seed.json'), JSON.stringify(seeds.st, null, 2));
console.log(`demo seeds written to ${out}`);
