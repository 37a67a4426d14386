import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantRegistry } from '@connector/config';
import { testTenant, writeTestTenantsFile } from '@connector/testing';
import { MappingRulesError } from './mapping-rules';
import { MappingRulesRegistry } from './mapping-rules.registry';
import { TEST_RULES_JSON } from '../testing/mapper-fixtures';

function registryFor(rules: Record<string, unknown | undefined>): TenantRegistry {
  const tenants = Object.keys(rules).map((id) =>
    testTenant({ id, extra: rules[id] === undefined ? {} : { mappingRulesFile: `${id}.rules.json` } }),
  );
  const { file, key, dir } = writeTestTenantsFile(tenants);
  for (const [id, json] of Object.entries(rules))
    if (json !== undefined) writeFileSync(join(dir, `${id}.rules.json`), JSON.stringify(json));
  return TenantRegistry.fromFile(file, key);
}

describe('mapping rules registry', () => {
  it('loads every tenant that has a rules file', () => {
    const reg = new MappingRulesRegistry(registryFor({ acme: TEST_RULES_JSON, beta: undefined }));
    expect(reg.get('acme')?.businessUnits['1'].costCenter).toBe('CC-HVAC');
    expect(reg.get('beta')).toBeUndefined();
  });

  it('stops the app listing every broken file with all its problems', () => {
    const tenants = registryFor({
      acme: { ...TEST_RULES_JSON, amountScale: 9 },
      beta: { ...TEST_RULES_JSON, accounts: undefined, colour: 'blue' },
      gamma: TEST_RULES_JSON,
    });
    let err: MappingRulesError | undefined;
    try {
      new MappingRulesRegistry(tenants);
    } catch (e) {
      err = e as MappingRulesError;
    }
    expect(err).toBeInstanceOf(MappingRulesError);
    const acme = tenants.require('acme').mappingRulesFile;
    const beta = tenants.require('beta').mappingRulesFile;
    expect(err?.problems).toEqual([
      `${acme} (tenant acme): amountScale must be an integer between 0 and 6`,
      `${beta} (tenant beta): unknown field "colour" (typo?)`,
      `${beta} (tenant beta): accounts is required (object)`,
      `${beta} (tenant beta): accounts.labor is required (object)`,
      `${beta} (tenant beta): accounts.labor.debit is required (X3 code)`,
      `${beta} (tenant beta): accounts.labor.credit is required (X3 code)`,
      `${beta} (tenant beta): accounts.material is required (object)`,
      `${beta} (tenant beta): accounts.material.debit is required (X3 code)`,
      `${beta} (tenant beta): accounts.material.credit is required (X3 code)`,
    ]);
    expect(err?.message).toMatch(/^invalid mapping rules of 2 tenants:\n {2}- /);
  });

  it('throws the one broken file as it is', () => {
    const tenants = registryFor({ acme: { ...TEST_RULES_JSON, version: 3 } });
    expect(() => new MappingRulesRegistry(tenants)).toThrow(
      `invalid mapping rules ${tenants.require('acme').mappingRulesFile} (tenant acme):\n  - version must be 1 or 2`,
    );
  });
});
