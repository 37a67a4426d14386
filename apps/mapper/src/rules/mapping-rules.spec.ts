import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMappingRulesFile, parseMappingRules, renderTemplate } from './mapping-rules';
import { rulesProblems, TEST_RULES_JSON } from '../testing/mapper-fixtures';

const problems = rulesProblems;

describe('mapping rules', () => {
  it('fills the documented defaults', () => {
    const r = parseMappingRules(TEST_RULES_JSON);
    expect(r.businessUnits['1']).toEqual({ costCenter: 'CC-HVAC', dimensionType: 'CCE' });
    expect(r.invoiceItemKinds).toEqual({ Material: 'material', Equipment: 'material', Service: 'labor' });
    expect(r.jobTypes.strict).toBe(false);
    expect(r.accounts.rules).toEqual([]);
    expect(r.suppliers.matchByName).toBe(true);
    expect(r.purchaseOrders.numberTemplate).toBe('{number}');
    expect(r.amountScale).toBe(2);
    expect(r.labor.grossPayWindowDaysBefore).toBe(7);
    expect(r.defaultCostCenter).toBeNull();
  });

  it('accepts a per-business-unit dimension type', () => {
    const r = parseMappingRules({
      ...TEST_RULES_JSON,
      costCenters: { businessUnits: { '7': { costCenter: 'ADMIN', dimensionType: 'DEP' } }, default: 'CC-HVAC' },
    });
    expect(r.businessUnits['7']).toEqual({ costCenter: 'ADMIN', dimensionType: 'DEP' });
    expect(r.defaultCostCenter).toEqual({ costCenter: 'CC-HVAC', dimensionType: 'CCE' });
  });

  it('names every bad field at once (an unsupported version: against the closest schema, here version 1)', () => {
    const p = problems({
      version: 3,
      costCenters: { businessUnits: { abc: 'CC 1' } },
      accounts: {
        material: { debit: '601000' },
        labor: { debit: 641000, credit: '421000' },
        glAccounts: { '5000': '' },
      },
      labor: { source: 'timesheets', grossPayWindowDaysBefore: -1 },
      suppliers: { byVendorId: { x: 'SUP001' } },
      purchaseOrders: { numberTemplate: 'PO-{num}' },
      journal: { descriptionTemplate: 'Job {job}' },
      colour: 'blue',
    });
    expect(p).toEqual(
      expect.arrayContaining([
        'version must be 1 or 2',
        'unknown field "colour" (typo?)',
        'costCenters.businessUnits: key "abc" must be a ServiceTitan business unit id',
        'costCenters.businessUnits.abc must be an X3 code (1-30 letters, digits, _ . - /), got "CC 1"',
        'accounts.material.credit is required (X3 code)',
        'accounts.labor.debit must be an X3 code (1-30 letters, digits, _ . - /), got 641000',
        'accounts.glAccounts.5000 must be an X3 code (1-30 letters, digits, _ . - /), got ""',
        'labor.source must be one of gross-pay-items, invoice-items, none',
        'labor.grossPayWindowDaysBefore must be an integer between 0 and 366',
        'suppliers.byVendorId: key "x" must be a ServiceTitan vendor id',
        'purchaseOrders.numberTemplate: unknown placeholder(s) {num} (use {id} or {number})',
        expect.stringContaining('journal.descriptionTemplate: unknown placeholder(s) {job}'),
      ]),
    );
  });

  it('refuses an item type counted both as material and as labor', () => {
    expect(
      problems({ ...TEST_RULES_JSON, labor: { source: 'invoice-items', invoiceItemTypes: ['Service', 'Equipment'] } }),
    ).toEqual(['labor.invoiceItemTypes and materialItemTypes both contain Equipment: an item would be counted twice']);
  });

  it('requires the cost kinds and business units', () => {
    expect(problems({ version: 1 }).sort()).toEqual([
      'accounts is required (object)',
      'accounts.labor is required (object)',
      'accounts.labor.credit is required (X3 code)',
      'accounts.labor.debit is required (X3 code)',
      'accounts.material is required (object)',
      'accounts.material.credit is required (X3 code)',
      'accounts.material.debit is required (X3 code)',
      'costCenters is required (object)',
      'costCenters.businessUnits is required (object)',
    ]);
  });

  it('names each problem by its path, inside maps and in both cost center forms', () => {
    expect(
      problems({
        ...TEST_RULES_JSON,
        costCenters: {
          dimensionType: 'C C',
          businessUnits: {
            '1': 'CC-HVAC',
            '7': { dimensionType: 'DEP' },
            '8': null,
            '9': { costCenter: 'X', die: 'D' },
          },
          default: { costCenter: 'CC 9' },
        },
        accounts: {
          ...TEST_RULES_JSON.accounts,
          glAccounts: { '5000': '601000', '51 00': 'X', '5200': { code: 'X' } },
        },
        products: { bySkuCode: { 'FLT-16': 'FILTER 16' }, byCode: {} },
        suppliers: { byVendorId: { '301': 'SUP001', '0': 'SUP002' }, matchByName: 'yes' },
        purchaseOrders: { byServiceTitanId: [] },
        labor: { source: 'gross-pay-items', invoiceItemTypes: ['Service', ''], grossPayWindowDaysAfter: 2.5 },
        journal: { entryType: 'ODS TX', descriptionTemplate: '' },
        bills: { supplierInvoiceNumberField: 'invoiceNumber' },
        amountScale: '2',
      }),
    ).toEqual([
      'costCenters.dimensionType must be an X3 code (1-30 letters, digits, _ . - /), got "C C"',
      'costCenters.businessUnits.7.costCenter is required (X3 code)',
      'costCenters.businessUnits.8 is required (X3 code)',
      'costCenters.businessUnits.9: unknown field "die" (typo?)',
      'costCenters.default.costCenter must be an X3 code (1-30 letters, digits, _ . - /), got "CC 9"',
      'accounts.glAccounts.5200 must be an X3 code (1-30 letters, digits, _ . - /), got {"code":"X"}',
      'accounts.glAccounts: key "51 00" must be a ServiceTitan GL account number',
      'labor.invoiceItemTypes must be an array of non-empty strings',
      'labor.grossPayWindowDaysAfter must be an integer between 0 and 366',
      'suppliers.byVendorId: key "0" must be a ServiceTitan vendor id',
      'suppliers.matchByName must be true or false',
      'products: unknown field "byCode" (typo?)',
      'products.bySkuCode.FLT-16 must be an X3 code (1-30 letters, digits, _ . - /), got "FILTER 16"',
      'purchaseOrders.byServiceTitanId must be an object',
      'journal.entryType must be an X3 code (1-30 letters, digits, _ . - /), got "ODS TX"',
      'journal.descriptionTemplate must be a non-empty string',
      'bills.supplierInvoiceNumberField must be one of vendorNumber, referenceNumber',
      'amountScale must be an integer between 0 and 6',
    ]);
  });

  it('treats null as "not given" and keeps explicit values', () => {
    const r = parseMappingRules({
      ...TEST_RULES_JSON,
      $schema: './mapping-rules.schema.json',
      description: 'test',
      costCenters: { ...TEST_RULES_JSON.costCenters, default: null },
      labor: { source: null, invoiceItemTypes: ['Service', 'Service'], grossPayWindowDaysAfter: 0 },
      journal: { entryType: 'ODT', journal: null, lineDescriptionTemplate: '{costKind} of {jobId}' },
      bills: { supplierInvoiceNumberField: 'referenceNumber' },
      amountScale: 0,
    });
    expect(r.defaultCostCenter).toBeNull();
    expect(r.labor).toEqual({
      source: 'gross-pay-items',
      invoiceItemTypes: ['Service'],
      grossPayWindowDaysBefore: 7,
      grossPayWindowDaysAfter: 0,
    });
    expect(r.journal).toEqual({
      entryType: 'ODT',
      journal: null,
      descriptionTemplate: 'ServiceTitan job {jobNumber}',
      lineDescriptionTemplate: '{costKind} of {jobId}',
    });
    expect(r.bills.supplierInvoiceNumberField).toBe('referenceNumber');
    expect(r.amountScale).toBe(0);
    expect(r.accounts.glAccounts).toEqual({ '5000': '601000', '5100': '602000' });
    expect(r.suppliers.byVendorId).toEqual({ '301': 'SUP001' });
    expect(r.products).toEqual({ 'FLT-16': 'FILTER-16' });
    expect(r.purchaseOrders.byServiceTitanId).toEqual({ '1101': 'PO0001' });
  });

  it('selects the schema by version and refuses a document that is not an object', () => {
    expect(problems({ ...TEST_RULES_JSON, version: '1' })).toEqual(['version must be 1 or 2']);
    expect(problems({ ...TEST_RULES_JSON, version: undefined })).toEqual(['version must be 1 or 2']);
    expect(problems(null)).toEqual(['rules is required (object)']);
    expect(problems(['version', 1])).toEqual(['rules must be an object']);
  });

  it('reports unreadable and malformed files with the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    expect(() => loadMappingRulesFile(join(dir, 'missing.json'))).toThrow(
      /missing\.json:\n {2}- cannot read file: ENOENT/,
    );
    writeFileSync(join(dir, 'bad.json'), '{ "version": 1,');
    expect(() => loadMappingRulesFile(join(dir, 'bad.json'))).toThrow(/bad\.json:\n {2}- not valid JSON/);
  });

  it('the demo rules file is valid', () => {
    const r = loadMappingRulesFile(join(__dirname, '../../../../config/demo/mapping-rules.json'));
    expect(r.businessUnits['1'].costCenter).toBe('HVAC');
    expect(r.businessUnits['2'].costCenter).toBe('PLUMB');
  });

  it('renders templates, leaving unknown values empty', () => {
    expect(renderTemplate('Job {jobNumber} {costKind}', { jobNumber: 'J-1', costKind: 'labor' })).toBe('Job J-1 labor');
    expect(renderTemplate('Job {jobNumber} {costKind}', { jobNumber: 'J-1' })).toBe('Job J-1');
  });
});
