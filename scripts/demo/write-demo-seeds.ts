/* Writes the demo seeds of both simulators so that their codes line up with config/demo/mapping-rules.json:
 * the Sage X3 simulator's demo folder plus the accounts and the PO line the ServiceTitan demo tenant needs.
 *   node -r @swc-node/register scripts/demo/write-demo-seeds.ts <outDir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoSeed } from '@connector/sage-x3-simulator';
import { buildDemoTenantSeed, DEMO_APP_KEY } from '@connector/servicetitan-simulator';

type Rec = Record<string, unknown>;
const out = process.argv[2] ?? '.cache/demo';
mkdirSync(out, { recursive: true });

const x3 = createDemoSeed() as unknown as { folders: Array<Record<string, Rec[] | Rec>> };
const folder = x3.folders[0] as Record<string, Rec[]>;
folder['accounts'].push(
  { ACC: '310000', DES: 'Inventory of materials' },
  { ACC: '641000', DES: 'Field labor wages', DIE: ['CC'] },
  { ACC: '421000', DES: 'Accrued payroll' },
);
folder['products'].push({ ITMREF: 'COMP-3T', ITMDES1: 'Compressor 3 ton', TCLCOD: 'EQUIP', STU: 'UN' });
// The ServiceTitan demo job was completed in January 2025: keep that period open for the demo.
for (const fy of folder['fiscalYears']) if (fy['FIY'] === '2025') fy['closedPeriods'] = [];
const po = folder['purchaseOrders'].find((p) => p['POHNUM'] === 'PO0001') as Rec;
(po['PORDERQ'] as Rec[]).push({ POPLIN: 3000, ITMREF: 'COMP-3T', QTYUOM: '1', NETPRI: '1850.00' });
writeFileSync(join(out, 'sage-x3-seed.json'), JSON.stringify(x3, null, 2));

const st = { appKey: DEMO_APP_KEY, tenants: [buildDemoTenantSeed()] };
writeFileSync(join(out, 'servicetitan-seed.json'), JSON.stringify(st, null, 2));
console.log(`demo seeds written to ${out}`);
