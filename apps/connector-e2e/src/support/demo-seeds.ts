import { createDemoSeed, SageX3SeedFile } from '@connector/sage-x3-simulator';
import { buildDemoTenantSeed, DEMO_APP_KEY, ServiceTitanSimulatorSeed } from '@connector/servicetitan-simulator';

type Rec = Record<string, unknown>;

/**
 * Seeds of both simulators whose codes line up with config/demo/mapping-rules.json: the Sage X3 demo folder plus
 * the accounts and PO line the ServiceTitan demo tenant needs. `openJanuary2025`: the ServiceTitan demo job was
 * completed in January 2025, a period the X3 demo folder keeps closed unless asked.
 */
export function demoSeeds(opts: { openJanuary2025: boolean }): { x3: SageX3SeedFile; st: ServiceTitanSimulatorSeed } {
  const x3 = createDemoSeed() as unknown as { folders: Array<Record<string, Rec[]>> };
  const folder = x3.folders[0];
  folder['accounts'].push(
    { ACC: '310000', DES: 'Inventory of materials' },
    { ACC: '641000', DES: 'Field labor wages', DIE: ['CC'] },
    { ACC: '421000', DES: 'Accrued payroll' },
  );
  folder['products'].push({ ITMREF: 'COMP-3T', ITMDES1: 'Compressor 3 ton', TCLCOD: 'EQUIP', STU: 'UN' });
  const po = folder['purchaseOrders'].find((p) => p['POHNUM'] === 'PO0001') as Rec;
  (po['PORDERQ'] as Rec[]).push({ POPLIN: 3000, ITMREF: 'COMP-3T', QTYUOM: '1', NETPRI: '1850.00' });
  if (opts.openJanuary2025) for (const fy of folder['fiscalYears']) if (fy['FIY'] === '2025') fy['closedPeriods'] = [];
  return { x3: x3 as unknown as SageX3SeedFile, st: { appKey: DEMO_APP_KEY, tenants: [buildDemoTenantSeed()] } };
}
