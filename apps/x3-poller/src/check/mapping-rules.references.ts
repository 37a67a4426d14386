import { readFileSync } from 'node:fs';

/** An X3 code the tenant's mapping rules refer to, and where. */
export interface RulesReference {
  kind: 'account' | 'cost-center' | 'supplier' | 'product' | 'purchase-order';
  code: string;
  /** For a cost center: its dimension type. */
  dimensionType?: string;
  /** Where in the rules file (`accounts.labor.debit`, `costCenters.businessUnits.10`…). */
  paths: string[];
}

export interface RulesReferences {
  references: RulesReference[];
  /** ServiceTitan APIs the rules make the connector read: payroll only when labor comes from gross pay items. */
  laborFromPayroll: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

const COST_KINDS = ['labor', 'material', 'equipment', 'other'];

/**
 * The X3 codes a mapping-rules file (version 1 or 2, docs/mapping-rules.md) names — accounts, cost centers,
 * suppliers, products, purchase orders — for `npm run check` to verify in X3. It only collects codes: the mapper
 * validates the file itself (its schema lives in the mapper), so a file the mapper would refuse is reported by the
 * mapper. Throws with a reason when the file cannot be read as rules of a known version.
 */
export function mappingRulesReferences(file: string): RulesReferences {
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isObject(json)) throw new Error('the mapping rules file is not a JSON object');
  if (json['version'] !== 1 && json['version'] !== 2)
    throw new Error(`mapping rules version ${JSON.stringify(json['version'])} is not known`);
  const found = new Map<string, RulesReference>();
  const add = (kind: RulesReference['kind'], code: string | undefined, path: string, dimensionType?: string) => {
    if (!code) return;
    const key = `${kind}|${dimensionType ?? ''}|${code}`;
    const ref = found.get(key) ?? { kind, code, ...(dimensionType ? { dimensionType } : {}), paths: [] };
    ref.paths.push(path);
    found.set(key, ref);
  };

  const accounts = isObject(json['accounts']) ? json['accounts'] : {};
  // Per cost kind and side: version 1 has one pair per kind, version 2 a default and rules (by job type / unit).
  const pairs = (owner: unknown, path: string) => {
    for (const kind of COST_KINDS)
      for (const side of ['debit', 'credit']) {
        const pair = isObject(owner) ? owner[kind] : undefined;
        add('account', isObject(pair) ? str(pair[side]) : undefined, `${path}.${kind}.${side}`);
      }
  };
  if (json['version'] === 1) pairs(accounts, 'accounts');
  else {
    pairs(accounts['default'], 'accounts.default');
    const rules = Array.isArray(accounts['rules']) ? (accounts['rules'] as unknown[]) : [];
    rules.forEach((r, i) => pairs(isObject(r) ? r['accounts'] : undefined, `accounts.rules[${i}].accounts`));
  }
  if (isObject(accounts['glAccounts']))
    for (const [k, v] of Object.entries(accounts['glAccounts'])) add('account', str(v), `accounts.glAccounts.${k}`);

  const cc = isObject(json['costCenters']) ? json['costCenters'] : {};
  const dimension = str(cc['dimensionType']) ?? 'CCE';
  const costCenter = (v: unknown, path: string) => {
    if (typeof v === 'string') add('cost-center', v, path, dimension);
    else if (isObject(v)) add('cost-center', str(v['costCenter']), path, str(v['dimensionType']) ?? dimension);
  };
  if (isObject(cc['businessUnits']))
    for (const [k, v] of Object.entries(cc['businessUnits'])) costCenter(v, `costCenters.businessUnits.${k}`);
  costCenter(cc['default'], 'costCenters.default');

  const maps: Array<[string, string, RulesReference['kind']]> = [
    ['suppliers', 'byVendorId', 'supplier'],
    ['products', 'bySkuCode', 'product'],
    ['purchaseOrders', 'byServiceTitanId', 'purchase-order'],
  ];
  for (const [section, map, kind] of maps) {
    const s = json[section];
    const m = isObject(s) ? s[map] : undefined;
    if (isObject(m)) for (const [k, v] of Object.entries(m)) add(kind, str(v), `${section}.${map}.${k}`);
  }
  const labor = isObject(json['labor']) ? json['labor'] : {};
  return {
    references: [...found.values()],
    laborFromPayroll: (labor['source'] ?? 'gross-pay-items') === 'gross-pay-items',
  };
}
