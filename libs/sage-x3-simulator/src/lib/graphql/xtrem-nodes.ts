import { X3Record } from '../folder-store';
import { X3_YES } from '../x3-classes';

/** GraphQL node types served by the simulator, mapped onto the api1 classes (same data, Xtrem names). */

type Getter = (record: X3Record) => unknown;

export interface LineDef {
  typeName: string;
  source: string;
  fields: Record<string, Getter>;
}

export interface NodeDef {
  typeName: string;
  className: string;
  fields: Record<string, Getter>;
  lists: Record<string, LineDef>;
  /** Input property → X3 field, for writable nodes. */
  input?: { header: Record<string, string>; lines: { property: string; field: string; map: Record<string, string> } };
}

const f =
  (field: string): Getter =>
  (r) =>
    r[field] ?? null;
const active: Getter = (r) => r['ENAFLG'] === X3_YES;

function node(
  typeName: string,
  className: string,
  fields: Record<string, Getter>,
  lists: Record<string, LineDef> = {},
): NodeDef {
  return {
    typeName,
    className,
    fields: { _createStamp: f('CREDATTIM'), _updateStamp: f('UPDDATTIM'), ...fields },
    lists,
  };
}

const supplierFields = { code: f('BPSNUM'), name: f('BPSNAM'), isActive: active, currency: f('CUR') };

const purchaseInvoice = node(
  'PurchaseInvoice',
  'PINVOICE',
  {
    id: f('NUM'),
    site: f('FCY'),
    supplier: f('BPR'),
    supplierInvoiceNumber: f('BPRVCR'),
    supplierInvoiceDate: f('BPRDAT'),
    accountingDate: f('ACCDAT'),
    currency: f('CUR'),
    description: f('DES'),
    controlTotal: f('AMTNOT'),
    matchingStatus: f('MATSTA'),
  },
  {
    purchaseInvoiceLines: {
      typeName: 'PurchaseInvoiceLine',
      source: 'PINVOICED',
      fields: {
        lineNumber: f('LIN'),
        purchaseOrder: f('POHNUM'),
        purchaseOrderLine: f('POPLIN'),
        product: f('ITMREF'),
        quantity: f('QTYUOM'),
        netPrice: f('NETPRI'),
      },
    },
  },
);
purchaseInvoice.input = {
  header: {
    site: 'FCY',
    supplier: 'BPR',
    supplierInvoiceNumber: 'BPRVCR',
    supplierInvoiceDate: 'BPRDAT',
    accountingDate: 'ACCDAT',
    currency: 'CUR',
    description: 'DES',
    controlTotal: 'AMTNOT',
  },
  lines: {
    property: 'purchaseInvoiceLines',
    field: 'PINVOICED',
    map: {
      purchaseOrder: 'POHNUM',
      purchaseOrderLine: 'POPLIN',
      product: 'ITMREF',
      quantity: 'QTYUOM',
      netPrice: 'NETPRI',
    },
  },
};

export const XTREM_DOMAINS: Record<string, Record<string, NodeDef>> = {
  x3MasterData: {
    businessPartner: node('BusinessPartner', 'BPSUPPLIER', { ...supplierFields, isSupplier: () => true }),
    supplier: node('Supplier', 'BPSUPPLIER', supplierFields),
    product: node('Product', 'ITMMASTER', {
      code: f('ITMREF'),
      description: f('ITMDES1'),
      category: f('TCLCOD'),
      stockUnit: f('STU'),
    }),
  },
  x3Finance: {
    account: node('Account', 'GACCOUNT', {
      code: f('ACC'),
      description: f('DES'),
      isActive: active,
      dimensionTypes: (r) => r['DIE'] ?? [],
    }),
    dimension: node('Dimension', 'CACCE', {
      dimensionType: f('DIE'),
      code: f('CCE'),
      description: f('DES'),
      isActive: active,
    }),
    journalEntry: node(
      'JournalEntry',
      'GACCENTRY',
      {
        type: f('TYP'),
        number: f('NUM'),
        site: f('FCY'),
        company: f('CPY'),
        journal: f('JOU'),
        accountingDate: f('ACCDAT'),
        currency: f('CUR'),
        reference: f('REF'),
        description: f('DESVCR'),
        fiscalYear: f('FIY'),
        period: f('PER'),
      },
      {
        journalEntryLines: {
          typeName: 'JournalEntryLine',
          source: 'GACCENTRYD',
          fields: {
            lineNumber: f('LIN'),
            account: f('ACC'),
            sign: f('SNS'),
            currency: f('CUR'),
            transactionAmount: f('AMTCUR'),
            ledgerAmount: f('AMTLED'),
            description: f('DES'),
            dimensionType: f('DIE'),
            costCenter: f('CCE'),
            matchingCode: f('MTC'),
          },
        },
      },
    ),
  },
  x3Purchasing: {
    purchaseOrder: node(
      'PurchaseOrder',
      'PORDER',
      { id: f('POHNUM'), site: f('POHFCY'), supplier: f('BPSNUM'), orderDate: f('ORDDAT'), currency: f('CUR') },
      {
        purchaseOrderLines: {
          typeName: 'PurchaseOrderLine',
          source: 'PORDERQ',
          fields: { lineNumber: f('POPLIN'), product: f('ITMREF'), quantity: f('QTYUOM'), netPrice: f('NETPRI') },
        },
      },
    ),
    purchaseReceipt: node(
      'PurchaseReceipt',
      'PRECEIPT',
      { id: f('PTHNUM'), site: f('PRHFCY'), supplier: f('BPSNUM'), receiptDate: f('RCPDAT') },
      {
        purchaseReceiptLines: {
          typeName: 'PurchaseReceiptLine',
          source: 'PRECEIPTD',
          fields: {
            lineNumber: f('PTDLIN'),
            purchaseOrder: f('POHNUM'),
            purchaseOrderLine: f('POPLIN'),
            product: f('ITMREF'),
            quantity: f('QTYUOM'),
          },
        },
      },
    ),
    purchaseInvoice,
  },
};

/** Nodes with a create mutation. journalEntry is deliberately absent: not writable through GraphQL. */
export const XTREM_WRITABLE = new Set(['x3Purchasing.purchaseInvoice']);
