import { join } from 'node:path';
import { JOB_TYPES, rulesProblems, TEST_RULES_V2_JSON } from '../testing/mapper-fixtures';
import { loadMappingRulesFile, parseMappingRules } from './mapping-rules';

const problems = rulesProblems;

const A = TEST_RULES_V2_JSON.accounts;
const withAccounts = (accounts: Record<string, unknown>) => ({
  ...TEST_RULES_V2_JSON,
  accounts: { ...A, ...accounts },
});

describe('mapping rules version 2', () => {
  it('loads the rules into the one model (rules with their labels, item kinds, strictness)', () => {
    const r = parseMappingRules(TEST_RULES_V2_JSON);
    expect(r.version).toBe(2);
    expect(r.jobTypes.strict).toBe(true);
    expect(r.invoiceItemKinds).toEqual({ Material: 'material', Equipment: 'equipment' });
    expect(r.labor).toEqual({ source: 'gross-pay-items', invoiceItemTypes: ['Service'] });
    expect(r.accounts.default).toEqual(A.default);
    expect(r.accounts.rules[0]).toEqual({
      label: 'accounts.rules[0] "installation labor"',
      jobTypes: [JOB_TYPES.install],
      businessUnits: null,
      accounts: { labor: { debit: '642000' } },
    });
    expect(r.accounts.rules[4]).toMatchObject({ jobTypes: [51, 54], businessUnits: null, accounts: {} });
    expect(r.accounts.glAccounts).toEqual({ '5100': '602000' });
    expect(r.businessUnits['2']).toEqual({ costCenter: 'CC-PLUMB', dimensionType: 'CCE' });
    expect(r.suppliers).toEqual({ byVendorId: { '301': 'SUP001' }, matchByName: true });
  });

  it('fills the documented defaults of a minimal file (version 1 behaviour: no rules, not strict)', () => {
    const r = parseMappingRules({
      version: 2,
      costCenters: { businessUnits: { '1': 'CC-HVAC' } },
      accounts: {
        default: { material: { debit: '601000', credit: '310000' }, labor: { debit: '641000', credit: '421000' } },
      },
    });
    expect(r.invoiceItemKinds).toEqual({ Material: 'material', Equipment: 'material' });
    expect(r.labor.source).toBe('gross-pay-items');
    expect(r.accounts.rules).toEqual([]);
    expect(r.accounts.requireGlAccountMapping).toBe(false);
    expect(r.jobTypes.strict).toBe(false);
    expect(r.amountScale).toBe(2);
    expect(r.journal.lineDescriptionTemplate).toBe('Job {jobNumber} {costKind}');
  });

  it('a rule ids list drops duplicates; invoice-items labor makes the labor item types a cost kind', () => {
    const r = parseMappingRules({
      ...TEST_RULES_V2_JSON,
      invoiceItemTypes: { material: ['Material'], equipment: ['Equipment'], other: ['Unspecified'] },
      labor: { source: 'invoice-items' },
      accounts: {
        ...A,
        default: { ...A.default, other: { debit: '690000', credit: '310000' } },
        rules: [{ jobTypes: [53, 53, 50], accounts: { other: { debit: '691000' } } }],
      },
    });
    expect(r.accounts.rules[0].jobTypes).toEqual([53, 50]);
    expect(r.invoiceItemKinds).toEqual({
      Material: 'material',
      Equipment: 'equipment',
      Unspecified: 'other',
      Service: 'labor',
    });
  });

  it('requires the sections and the default accounts of every cost kind that takes costs', () => {
    expect(problems({ version: 2 })).toEqual([
      'costCenters is required (object)',
      'costCenters.businessUnits is required (object)',
      'accounts is required (object)',
      'accounts.default is required (object)',
      'accounts.default.labor is required (object): labor.source is gross-pay-items',
      'accounts.default.material is required (object): invoiceItemTypes.material lists Material, Equipment',
    ]);
  });

  it('names every bad field at once, by path, inside the rules list', () => {
    expect(
      problems({
        ...TEST_RULES_V2_JSON,
        invoiceItemTypes: { material: 'Material', tools: [] },
        labor: { source: 'gross-pay-items', grossPayWindowDaysBefore: 7 },
        jobTypes: { strict: 'yes', names: {} },
        accounts: {
          default: { ...A.default, labor: { debit: '641000' }, tools: { debit: 'X', credit: 'Y' } },
          rules: [
            'installation',
            { name: '', jobTypes: [], businessUnits: [0], accounts: { labor: { debit: '642 000' } } },
            { jobTypes: ['53', 1.5], accounts: { tools: {}, labor: { debit: '642000', side: 'x' } }, when: {} },
            null,
            { jobTypes: 53, businessUnits: { '2': true } },
          ],
        },
      }),
    ).toEqual([
      'invoiceItemTypes: unknown field "tools" (typo?)',
      'invoiceItemTypes.material must be an array of non-empty strings',
      // Version 2 drops version 1's unused gross pay window.
      'labor: unknown field "grossPayWindowDaysBefore" (typo?)',
      'accounts.default: unknown field "tools" (typo?)',
      'accounts.default.labor.credit is required (X3 code)',
      'accounts.rules[0] must be an object',
      'accounts.rules[1].name must be a non-empty string',
      'accounts.rules[1].jobTypes must be a non-empty array of ServiceTitan job type ids (positive integers), got []',
      'accounts.rules[1].businessUnits must be a non-empty array of ServiceTitan business unit ids (positive integers), got [0]',
      'accounts.rules[1].accounts.labor.debit must be an X3 code (1-30 letters, digits, _ . - /), got "642 000"',
      'accounts.rules[2]: unknown field "when" (typo?)',
      'accounts.rules[2].jobTypes must be a non-empty array of ServiceTitan job type ids (positive integers), got ["53",1.5]',
      'accounts.rules[2].accounts: unknown field "tools" (typo?)',
      'accounts.rules[2].accounts.labor: unknown field "side" (typo?)',
      'accounts.rules[3] must be an object',
      'accounts.rules[4].jobTypes must be a non-empty array of ServiceTitan job type ids (positive integers), got 53',
      'accounts.rules[4].businessUnits must be a non-empty array of ServiceTitan business unit ids (positive integers), got {"2":true}',
      'jobTypes: unknown field "names" (typo?)',
      'jobTypes.strict must be true or false',
      // Equipment defaults to no item types here (the material list is broken, the equipment one absent).
      'accounts.default.equipment: the cost kind equipment takes no costs (invoiceItemTypes.equipment is empty)',
    ]);
    expect(problems(withAccounts({ rules: { '0': {} } }))).toEqual(['accounts.rules must be an array']);
  });

  it('refuses an item type counted as two cost kinds, and accounts where no costs or no default are', () => {
    expect(
      problems({
        ...TEST_RULES_V2_JSON,
        invoiceItemTypes: { material: ['Material', 'Equipment'], equipment: ['Equipment'], other: [] },
        labor: { source: 'invoice-items', invoiceItemTypes: ['Service', 'Material'] },
        accounts: {
          default: { material: A.default.material, other: { debit: '690000', credit: '310000' } },
          rules: [{ jobTypes: [53], accounts: { other: { debit: '690000' } } }],
        },
      }),
    ).toEqual([
      'invoiceItemTypes.material and invoiceItemTypes.equipment both contain Equipment: an item would be counted twice',
      'invoiceItemTypes.material and labor.invoiceItemTypes both contain Material: an item would be counted twice',
      'accounts.default.labor is required (object): labor.invoiceItemTypes lists Service, Material',
      'accounts.default.equipment is required (object): invoiceItemTypes.equipment lists Equipment',
      'accounts.default.other: the cost kind other takes no costs (invoiceItemTypes.other is empty)',
      'accounts.rules[0].accounts.other: the cost kind other takes no costs (invoiceItemTypes.other is empty)',
    ]);
    const lax = { ...TEST_RULES_V2_JSON, jobTypes: { strict: false } };
    expect(problems({ ...lax, labor: { source: 'none' }, accounts: { ...A, rules: [] } })).toEqual([
      'accounts.default.labor: the cost kind labor takes no costs (labor.source is none)',
    ]);
    expect(
      problems({
        ...lax,
        labor: { source: 'invoice-items', invoiceItemTypes: [] },
        accounts: { ...A, rules: [] },
      }),
    ).toEqual(['accounts.default.labor: the cost kind labor takes no costs (labor.invoiceItemTypes is empty)']);
  });

  it('refuses rules that select nothing, set nothing, or leave a cost kind empty', () => {
    expect(
      problems(
        withAccounts({
          rules: [
            {},
            { name: 'plumbing', businessUnits: [2] },
            { businessUnits: [3], accounts: {} },
            { jobTypes: [53], accounts: { labor: {} } },
            { jobTypes: [51] }, // fine: job type 51 posts to the accounts below (and is mapped for strict mode)
          ],
        }),
      ),
    ).toEqual([
      'accounts.rules[0] needs jobTypes and/or businessUnits (the tenant default is accounts.default)',
      'accounts.rules[1] sets no account (only a rule naming job types may leave accounts out)',
      'accounts.rules[2] sets no account (only a rule naming job types may leave accounts out)',
      'accounts.rules[3].accounts.labor needs debit and/or credit',
    ]);
  });

  it('refuses two rules of one precedence level that set the same side for some job', () => {
    expect(
      problems(
        withAccounts({
          rules: [
            { name: 'a', jobTypes: [53, 50], accounts: { labor: { debit: '642000' }, material: { credit: '310000' } } },
            { name: 'b', jobTypes: [50, 53], accounts: { labor: { debit: '642100', credit: '421000' } } },
            { jobTypes: [53], businessUnits: [1, 2], accounts: { material: { debit: '603000' } } },
            { jobTypes: [53], businessUnits: [2, 3], accounts: { material: { debit: '603100' } } },
            { jobTypes: [53], businessUnits: [4], accounts: { material: { debit: '603100' } } },
            { jobTypes: [52], businessUnits: [1], accounts: { material: { debit: '603100' } } },
            { businessUnits: [2], accounts: { material: { debit: '602000' } } },
            { businessUnits: [2], accounts: { material: { credit: '311000' } } },
            { businessUnits: [2, 9], accounts: { material: { credit: '312000' } } },
          ],
        }),
      ),
    ).toEqual([
      'accounts.rules[0] "a" and accounts.rules[1] "b" both set labor.debit for job types 53, 50 at one precedence level (job type): which applies would be ambiguous',
      'accounts.rules[2] and accounts.rules[3] both set material.debit for job type 53 and business unit 2 at one precedence level (job type + business unit): which applies would be ambiguous',
      'accounts.rules[7] and accounts.rules[8] both set material.credit for business unit 2 at one precedence level (business unit): which applies would be ambiguous',
    ]);
    // Different levels for the same job are precedence, not ambiguity (the fixture has all three).
    expect(problems(TEST_RULES_V2_JSON)).toEqual([]);
  });

  it('refuses strict job types when no rule names a job type (every job would be rejected)', () => {
    expect(
      problems(withAccounts({ rules: [{ businessUnits: [2], accounts: { labor: { debit: '642000' } } }] })),
    ).toEqual([
      'jobTypes.strict is true but no rule in accounts.rules names job types: every job would be rejected (JOB_TYPE_UNMAPPED)',
    ]);
    expect(problems({ ...withAccounts({ rules: [] }), jobTypes: { strict: false } })).toEqual([]);
  });

  it('reports a broken section once, without problems derived from it', () => {
    expect(
      problems({ ...TEST_RULES_V2_JSON, invoiceItemTypes: 'x', labor: 5, accounts: { ...A, default: [] } }),
    ).toEqual(['invoiceItemTypes must be an object', 'labor must be an object', 'accounts.default must be an object']);
  });

  it('the example file config/examples/mapping-rules.v2.json is valid', () => {
    const r = loadMappingRulesFile(join(__dirname, '../../../../config/examples/mapping-rules.v2.json'));
    expect(r.version).toBe(2);
    expect(r.jobTypes.strict).toBe(true);
    expect(r.accounts.rules.length).toBeGreaterThan(2);
  });
});
