import { JOB_TYPES, TEST_RULES_V2_JSON, testRules, testRulesV2 } from '../testing/mapper-fixtures';
import { accountsForJob, JobAccounts, unmappedJobType } from './account-resolution';

/** kind → [debit, credit] accounts (the "from" dropped). */
function accounts(a: JobAccounts): Record<string, [string, string]> {
  return Object.fromEntries(Object.entries(a).map(([k, p]) => [k, [p.debit.account, p.credit.account]]));
}

describe('account resolution (mapping rules version 2): precedence', () => {
  const rules = testRulesV2();

  it('tenant default for a job no rule selects', () => {
    expect(accounts(accountsForJob(rules, { jobTypeId: JOB_TYPES.maintenance, businessUnitId: 1 }))).toEqual({
      material: ['601000', '310000'],
      equipment: ['615000', '310000'],
      labor: ['641000', '421000'],
    });
    // No job type / no business unit at all: the default (strictness is a separate check).
    expect(accounts(accountsForJob(rules, {}))['labor']).toEqual(['641000', '421000']);
  });

  it('installation labor and service labor land on their own accounts (job type beats the default)', () => {
    const install = accountsForJob(rules, { jobTypeId: JOB_TYPES.install, businessUnitId: 1 });
    const service = accountsForJob(rules, { jobTypeId: JOB_TYPES.service, businessUnitId: 1 });
    expect(install.labor?.debit).toEqual({ account: '642000', from: 'accounts.rules[0] "installation labor"' });
    expect(service.labor?.debit).toEqual({ account: '641000', from: 'accounts.rules[1] "service labor"' });
    // A side the rule leaves out comes from the next level (here the default).
    expect(install.labor?.credit).toEqual({ account: '421000', from: 'accounts.default' });
    expect(install.material?.debit.from).toBe('accounts.default');
  });

  it('job type + business unit > job type > business unit > tenant default, per cost kind and side', () => {
    const plumbingInstall = accountsForJob(rules, { jobTypeId: JOB_TYPES.install, businessUnitId: 2 });
    expect(accounts(plumbingInstall)).toEqual({
      material: ['603000', '310000'], // job type + business unit beats the business unit's 602000
      equipment: ['615000', '310000'],
      labor: ['642500', '422000'], // debit: type + unit beats the type's 642000; credit: the unit's beats the default
    });
    expect(plumbingInstall.labor?.debit.from).toBe('accounts.rules[2] "plumbing installs"');
    expect(plumbingInstall.labor?.credit.from).toBe('accounts.rules[3] "plumbing"');

    const plumbingService = accountsForJob(rules, { jobTypeId: JOB_TYPES.service, businessUnitId: 2 });
    expect(accounts(plumbingService)).toEqual({
      material: ['602000', '310000'], // the business unit's (no type rule sets material)
      equipment: ['615000', '310000'],
      labor: ['641000', '422000'], // the type's debit beats nothing lower; the unit's credit beats the default
    });
  });

  it('the order of the rules in the file does not matter', () => {
    const reversed = testRulesV2({
      accounts: { ...TEST_RULES_V2_JSON.accounts, rules: [...TEST_RULES_V2_JSON.accounts.rules].reverse() },
    });
    for (const jobTypeId of Object.values(JOB_TYPES))
      for (const businessUnitId of [1, 2, 3])
        expect(accounts(accountsForJob(reversed, { jobTypeId, businessUnitId }))).toEqual(
          accounts(accountsForJob(rules, { jobTypeId, businessUnitId })),
        );
  });

  it('a version 1 file: the one pair per cost kind for every job', () => {
    const v1 = testRules();
    expect(accounts(accountsForJob(v1, { jobTypeId: JOB_TYPES.install, businessUnitId: 2 }))).toEqual({
      material: ['601000', '310000'],
      labor: ['641000', '421000'],
    });
    expect(unmappedJobType(v1, { jobTypeId: 999 })).toBeNull();
  });
});

describe('strict job types', () => {
  const rules = testRulesV2({
    accounts: {
      ...TEST_RULES_V2_JSON.accounts,
      rules: [
        ...TEST_RULES_V2_JSON.accounts.rules,
        { name: 'plumbing emergencies', jobTypes: [60], businessUnits: [2], accounts: { labor: { debit: '642500' } } },
      ],
    },
  });

  it('a job type some rule names is mapped, with or without accounts of its own', () => {
    for (const jobTypeId of [JOB_TYPES.install, JOB_TYPES.service, JOB_TYPES.repair, JOB_TYPES.maintenance])
      expect(unmappedJobType(rules, { jobTypeId, businessUnitId: 1 })).toBeNull();
    expect(unmappedJobType(rules, { jobTypeId: 60, businessUnitId: 2 })).toBeNull();
  });

  it('says why a job type is unmapped', () => {
    expect(unmappedJobType(rules, { jobTypeId: JOB_TYPES.warranty, businessUnitId: 1 })).toBe(
      'job type 55 has no rule in the mapping rules (jobTypes.strict)',
    );
    expect(unmappedJobType(rules, { jobTypeId: null, businessUnitId: 1 })).toBe(
      'the job has no job type, and jobTypes.strict requires a rule for its type',
    );
    // Named only with business units the job is not in: not mapped for this job.
    expect(unmappedJobType(rules, { jobTypeId: 60, businessUnitId: 1 })).toBe(
      'job type 60 has rules only for business units 2, not for business unit 1 (jobTypes.strict)',
    );
    expect(unmappedJobType(rules, { jobTypeId: 60 })).toBe(
      'job type 60 has rules only for business units 2, not for business unit (none) (jobTypes.strict)',
    );
  });

  it('without strict mode every job type is mapped (the defaults take it)', () => {
    const lax = testRulesV2({ jobTypes: { strict: false } });
    expect(unmappedJobType(lax, { jobTypeId: JOB_TYPES.warranty, businessUnitId: 1 })).toBeNull();
    expect(unmappedJobType(lax, { jobTypeId: null })).toBeNull();
    expect(testRulesV2({ jobTypes: null }).jobTypes.strict).toBe(false);
  });
});
