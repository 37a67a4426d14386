import { SageX3SeedFile } from './seed.types';

/** Obviously fake credentials for the demo seed and tests. */
export const DEMO_CREDENTIALS = {
  basic: { user: 'CONNECTOR', password: 'test-secret-not-real-000' },
  oauth2: { clientId: 'sim-oauth-client', clientSecret: 'test-secret-not-real-001' },
  jwt: { clientId: 'sim-connected-app', secret: 'test-secret-not-real-002', user: 'CONNECTOR' },
} as const;

/**
 * A small but complete folder ("SEED"): one company/site, journals, fiscal year 2025 (January closed; 2024 closed;
 * 2026-2028 open),
 * accounts with and without required cost centers, suppliers (one inactive), products and purchase orders.
 * `extraSuppliers` adds generated suppliers for paging tests.
 */
export function createDemoSeed(options: { folder?: string; extraSuppliers?: number } = {}): SageX3SeedFile {
  const folder = options.folder ?? 'SEED';
  const extra = Array.from({ length: options.extraSuppliers ?? 0 }, (_, i) => ({
    BPSNUM: `GEN${String(i + 1).padStart(4, '0')}`,
    BPSNAM: `Generated supplier ${i + 1}`,
    ENAFLG: true,
    CUR: 'USD',
  }));
  return {
    auth: {
      basic: [{ user: DEMO_CREDENTIALS.basic.user, password: DEMO_CREDENTIALS.basic.password }],
      oauth2: {
        clients: [
          {
            clientId: DEMO_CREDENTIALS.oauth2.clientId,
            clientSecret: DEMO_CREDENTIALS.oauth2.clientSecret,
            user: 'CONNECTOR',
            grants: ['client_credentials', 'refresh_token'],
          },
        ],
      },
      jwt: {
        apps: [{ clientId: DEMO_CREDENTIALS.jwt.clientId, secret: DEMO_CREDENTIALS.jwt.secret, users: ['CONNECTOR'] }],
      },
    },
    folders: [
      {
        name: folder,
        currencies: [
          { CUR: 'USD', DES: 'US dollar', CURDEC: 2 },
          { CUR: 'EUR', DES: 'Euro', CURDEC: 2 },
          { CUR: 'JPY', DES: 'Yen', CURDEC: 0 },
        ],
        exchangeRates: [{ from: 'EUR', to: 'USD', rate: '1.08' }],
        companies: [{ CPY: 'US01', DES: 'Demo US company', CUR: 'USD' }],
        sites: [{ FCY: 'US011', CPY: 'US01', DES: 'Main site' }],
        journals: [
          { JOU: 'ODT', DES: 'Miscellaneous operations' },
          { JOU: 'ACH', DES: 'Purchases' },
          { JOU: 'OLD', DES: 'Retired journal', ENAFLG: false },
        ],
        entryTypes: ['ODT', 'SPINV'],
        fiscalYears: [
          { CPY: 'US01', FIY: '2025', STRDAT: '2025-01-01', ENDDAT: '2025-12-31', closedPeriods: [1] },
          { CPY: 'US01', FIY: '2024', STRDAT: '2024-01-01', ENDDAT: '2024-12-31', closed: true },
          // Open years ahead so a standalone simulator running on today's date accepts postings.
          ...[2026, 2027, 2028].map((y) => ({
            CPY: 'US01',
            FIY: String(y),
            STRDAT: `${y}-01-01`,
            ENDDAT: `${y}-12-31`,
          })),
        ],
        accounts: [
          { ACC: '401000', DES: 'Suppliers' },
          { ACC: '512000', DES: 'Bank' },
          { ACC: '601000', DES: 'Purchases of materials', DIE: ['CC'] },
          { ACC: '606000', DES: 'Non-stock purchases', DIE: ['CC'] },
          { ACC: '706000', DES: 'Service revenue', DIE: ['CC'] },
          { ACC: '609000', DES: 'Old rebates account', ENAFLG: false },
        ],
        costCenters: [
          { DIE: 'CC', CCE: 'HVAC', DES: 'HVAC service' },
          { DIE: 'CC', CCE: 'PLUMB', DES: 'Plumbing' },
          { DIE: 'CC', CCE: 'CLOSED', DES: 'Closed branch', ENAFLG: false },
          { DIE: 'DEP', CCE: 'ADMIN', DES: 'Administration department' },
        ],
        suppliers: [
          { BPSNUM: 'SUP001', BPSNAM: 'Acme Parts', CUR: 'USD', CRN: '11-1111111' },
          { BPSNUM: 'SUP002', BPSNAM: 'Bolt & Nut Co', CUR: 'USD', CRN: '22-2222222' },
          { BPSNUM: 'SUP009', BPSNAM: 'Defunct Supply', CUR: 'USD', ENAFLG: false },
          ...extra,
        ],
        products: [
          { ITMREF: 'FILTER-16', ITMDES1: 'Air filter 16in', TCLCOD: 'PARTS', STU: 'UN', PURBASPRI: '12.50' },
          { ITMREF: 'PIPE-CU-12', ITMDES1: 'Copper pipe 1/2in', TCLCOD: 'PARTS', STU: 'M', PURBASPRI: '4.20' },
        ],
        purchaseOrders: [
          {
            POHNUM: 'PO0001',
            POHFCY: 'US011',
            BPSNUM: 'SUP001',
            ORDDAT: '2025-05-20',
            CUR: 'USD',
            PORDERQ: [
              { POPLIN: 1000, ITMREF: 'FILTER-16', QTYUOM: '10', NETPRI: '12.50' },
              { POPLIN: 2000, ITMREF: 'PIPE-CU-12', QTYUOM: '30', NETPRI: '4.20' },
            ],
          },
          {
            POHNUM: 'PO0002',
            POHFCY: 'US011',
            BPSNUM: 'SUP002',
            ORDDAT: '2025-05-22',
            CUR: 'USD',
            PORDERQ: [{ POPLIN: 1000, ITMREF: 'FILTER-16', QTYUOM: '5', NETPRI: '12.00' }],
          },
        ],
        receipts: [
          {
            PTHNUM: 'RC0001',
            PRHFCY: 'US011',
            BPSNUM: 'SUP001',
            RCPDAT: '2025-05-28',
            PRECEIPTD: [{ POHNUM: 'PO0001', POPLIN: 1000, QTYUOM: '10' }],
          },
        ],
      },
    ],
  };
}
