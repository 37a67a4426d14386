import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mappingRulesReferences } from './mapping-rules.references';

const ROOT = join(__dirname, '../../../..');

function write(json: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rules-refs-')), 'rules.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}
/** Account code → where the file names it, by code. */
const accounts = (file: string) =>
  Object.fromEntries(
    mappingRulesReferences(file)
      .references.filter((r) => r.kind === 'account')
      .map((r) => [r.code, r.paths]),
  );

describe('the X3 codes a mapping-rules file names (npm run check)', () => {
  it('version 1: one pair per cost kind and the GL account map', () => {
    expect(accounts(join(ROOT, 'config/demo/mapping-rules.json'))).toEqual({
      '601000': ['accounts.material.debit', 'accounts.glAccounts.5000'],
      '310000': ['accounts.material.credit'],
      '641000': ['accounts.labor.debit'],
      '421000': ['accounts.labor.credit'],
    });
  });

  it('version 2: the default and every rule, per cost kind and side', () => {
    const refs = accounts(join(ROOT, 'config/examples/mapping-rules.v2.json'));
    expect(refs).toEqual({
      '641000': ['accounts.default.labor.debit', 'accounts.rules[1].accounts.labor.debit'],
      '421000': ['accounts.default.labor.credit'],
      '601000': ['accounts.default.material.debit'],
      '310000': ['accounts.default.material.credit', 'accounts.default.equipment.credit'],
      '615000': ['accounts.default.equipment.debit'],
      '642000': ['accounts.rules[0].accounts.labor.debit'],
      '615100': ['accounts.rules[3].accounts.equipment.debit'],
      '602000': ['accounts.rules[4].accounts.material.debit'],
    });
    expect(mappingRulesReferences(join(ROOT, 'config/examples/mapping-rules.v2.json')).laborFromPayroll).toBe(true);
  });

  it('refuses an unknown version, and reads what it can of a broken version 2 file', () => {
    expect(() => mappingRulesReferences(write({ version: 3 }))).toThrow('mapping rules version 3 is not known');
    expect(
      accounts(
        write({ version: 2, accounts: { default: [], rules: ['x', { accounts: { other: { debit: 'A1' } } }] } }),
      ),
    ).toEqual({ A1: ['accounts.rules[1].accounts.other.debit'] });
  });
});
