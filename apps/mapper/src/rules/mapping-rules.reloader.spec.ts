import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnv, TenantRegistry } from '@connector/config';
import { RecurringJobs, RecurringTiming } from '@connector/messaging';
import { MetricsService } from '@connector/observability';
import { testTenant, writeTestTenantsFile } from '@connector/testing';
import { Logger } from '@nestjs/common';
import { MapperEnv } from '../app/mapper.env';
import { JOB_TYPES, TEST_RULES_JSON, TEST_RULES_V2_JSON } from '../testing/mapper-fixtures';
import { MappingRulesRegistry } from './mapping-rules.registry';
import { MappingRulesReloader } from './mapping-rules.reloader';

/** Two tenants with rules files (acme v2, beta v1) and one without. */
function setup() {
  const tenants = [
    testTenant({ id: 'acme', extra: { mappingRulesFile: 'acme.rules.json' } }),
    testTenant({ id: 'beta', extra: { mappingRulesFile: 'beta.rules.json' } }),
    testTenant({ id: 'gamma' }),
  ];
  const { file, key, dir } = writeTestTenantsFile(tenants);
  const acme = join(dir, 'acme.rules.json');
  writeFileSync(acme, JSON.stringify(TEST_RULES_V2_JSON));
  writeFileSync(join(dir, 'beta.rules.json'), JSON.stringify(TEST_RULES_JSON));
  const registry = new MappingRulesRegistry(TenantRegistry.fromFile(file, key));
  return { registry, acme, dir };
}

const withWarranty = {
  ...TEST_RULES_V2_JSON,
  accounts: {
    ...TEST_RULES_V2_JSON.accounts,
    rules: [...TEST_RULES_V2_JSON.accounts.rules, { name: 'warranty', jobTypes: [JOB_TYPES.warranty] }],
  },
};
const mapsWarranty = (registry: MappingRulesRegistry) =>
  registry.get('acme')?.accounts.rules.some((r) => r.jobTypes?.includes(JOB_TYPES.warranty));

describe('mapping rules reload (registry)', () => {
  it('a changed valid file replaces the rules; the same content again is "unchanged"', async () => {
    const { registry, acme } = setup();
    const before = registry.get('acme');
    expect(mapsWarranty(registry)).toBe(false);
    expect((await registry.reload()).map((r) => [r.tenant, r.outcome])).toEqual([
      ['acme', 'unchanged'],
      ['beta', 'unchanged'],
    ]);
    expect(registry.get('acme')).toBe(before);

    writeFileSync(acme, JSON.stringify(withWarranty));
    const [r] = await registry.reload();
    expect(r).toMatchObject({ tenant: 'acme', outcome: 'loaded', version: 2, problems: [] });
    expect(mapsWarranty(registry)).toBe(true);
    // The rules object handed out earlier is untouched (a decision in progress keeps what it read).
    expect(before?.accounts.rules.some((x) => x.jobTypes?.includes(JOB_TYPES.warranty))).toBe(false);
    expect((await registry.reload())[0].outcome).toBe('unchanged');
    // Even the same rules in other bytes (formatting) are a new content, loaded again: harmless.
    writeFileSync(acme, JSON.stringify(withWarranty, null, 2));
    expect((await registry.reload())[0].outcome).toBe('loaded');
  });

  it('a changed invalid file is refused with every problem, once; the rules in effect stay until it is fixed', async () => {
    const { registry, acme } = setup();
    const before = registry.get('acme');
    const hash = registry.status()[0].hash;
    writeFileSync(
      acme,
      JSON.stringify({ ...TEST_RULES_V2_JSON, jobTypes: { strict: 'yes' }, amountScale: 9, colour: 'blue' }),
    );
    const [r] = await registry.reload();
    expect(r).toMatchObject({ tenant: 'acme', outcome: 'invalid', hash, version: 2 });
    expect(r.problems).toEqual([
      'unknown field "colour" (typo?)',
      'jobTypes.strict must be true or false',
      'amountScale must be an integer between 0 and 6',
    ]);
    expect(registry.get('acme')).toBe(before);
    expect(registry.status()[0]).toMatchObject({ tenant: 'acme', invalid: true, hash });
    // Told once per content.
    expect((await registry.reload())[0].outcome).toBe('unchanged');

    writeFileSync(acme, '{ "version": 2, ');
    expect((await registry.reload())[0].problems).toEqual([expect.stringMatching(/^not valid JSON: /)]);
    rmSync(acme);
    expect((await registry.reload())[0]).toMatchObject({ outcome: 'invalid', problems: ['cannot read file: ENOENT'] });
    expect((await registry.reload())[0].outcome).toBe('unchanged');
    expect(registry.get('acme')).toBe(before);

    writeFileSync(acme, JSON.stringify(withWarranty));
    expect((await registry.reload())[0].outcome).toBe('loaded');
    expect(registry.status()[0].invalid).toBe(false);
    expect(mapsWarranty(registry)).toBe(true);
  });

  it('a file changing version (1 → 2) is loaded like any other change', async () => {
    const { registry, dir } = setup();
    expect(registry.get('beta')?.version).toBe(1);
    writeFileSync(join(dir, 'beta.rules.json'), JSON.stringify(TEST_RULES_V2_JSON));
    expect((await registry.reload())[1]).toMatchObject({ tenant: 'beta', outcome: 'loaded', version: 2 });
    expect(registry.get('beta')?.jobTypes.strict).toBe(true);
  });
});

describe('mapping rules reloader (schedule, log, metrics)', () => {
  const scheduled: Array<{ name: string; timing: RecurringTiming }> = [];
  const jobs = {
    every: (name: string, timing: RecurringTiming) => void scheduled.push({ name, timing }),
  } as unknown as RecurringJobs;
  const base = { TENANTS_FILE: 'x', CONNECTOR_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };
  const env = (reloadMs: string) => validateEnv(MapperEnv, { ...base, MAPPER_RULES_RELOAD_MS: reloadMs });

  beforeEach(() => (scheduled.length = 0));

  it('is scheduled every MAPPER_RULES_RELOAD_MS (default 5 s); 0 turns it off', () => {
    const { registry } = setup();
    new MappingRulesReloader(
      registry,
      env('250'),
      jobs,
      new MetricsService('t', { defaultMetrics: false }),
    ).onModuleInit();
    expect(scheduled).toEqual([{ name: 'mapping-rules-reload', timing: { firstAfterMs: 250, everyMs: 250 } }]);
    new MappingRulesReloader(
      registry,
      env('0'),
      jobs,
      new MetricsService('t', { defaultMetrics: false }),
    ).onModuleInit();
    expect(scheduled).toHaveLength(1);
    expect(validateEnv(MapperEnv, base).MAPPER_RULES_RELOAD_MS).toBe(5000);
    expect(() => env('-1')).toThrow(/MAPPER_RULES_RELOAD_MS/);
  });

  it('counts and logs each outcome; the invalid gauge and the info gauge say what is in effect', async () => {
    const { registry, acme } = setup();
    const metrics = new MetricsService('mapper', { defaultMetrics: false });
    const reloader = new MappingRulesReloader(registry, env('1000'), jobs, metrics);
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const hash0 = registry.status()[0].hash.slice(0, 12);
    const text = () => metrics.render();
    expect(await text()).toContain(
      `connector_mapping_rules_info{tenant="acme",version="2",hash="${hash0}",app="mapper"} 1`,
    );
    expect(await text()).toContain('connector_mapping_rules_invalid{tenant="acme",app="mapper"} 0');

    writeFileSync(acme, JSON.stringify({ ...TEST_RULES_V2_JSON, amountScale: 9 }));
    await reloader.reloadNow();
    expect(await text()).toContain('connector_mapping_rules_invalid{tenant="acme",app="mapper"} 1');
    expect(await text()).toContain(
      'connector_mapping_rules_reloads_total{tenant="acme",outcome="invalid",app="mapper"} 1',
    );
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({
        tenant: 'acme',
        file: acme,
        problems: ['amountScale must be an integer between 0 and 6'],
        msg: expect.stringContaining(`the rules in effect (${hash0}) stay`),
      }),
    );
    await reloader.reloadNow(); // same content: no second count
    expect(await text()).toContain(
      'connector_mapping_rules_reloads_total{tenant="acme",outcome="invalid",app="mapper"} 1',
    );

    writeFileSync(acme, JSON.stringify(withWarranty));
    await reloader.reloadNow();
    const hash1 = registry.status()[0].hash.slice(0, 12);
    const out = await text();
    expect(out).toContain('connector_mapping_rules_invalid{tenant="acme",app="mapper"} 0');
    expect(out).toContain('connector_mapping_rules_reloads_total{tenant="acme",outcome="loaded",app="mapper"} 1');
    expect(out).toContain(`connector_mapping_rules_info{tenant="acme",version="2",hash="${hash1}",app="mapper"} 1`);
    expect(out).not.toContain(`hash="${hash0}"`);
    expect(logs).toHaveBeenCalledWith(
      expect.objectContaining({ tenant: 'acme', hash: hash1, previousHash: hash0, version: 2 }),
    );
    errors.mockRestore();
    logs.mockRestore();
  });
});
