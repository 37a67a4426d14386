/** Classes the simulator publishes on api1, with their key fields and properties (X3 field codes). */
export interface X3ClassDef {
  className: string;
  keyFields: string[];
  fields: string[];
  lines?: { field: string; fields: string[] };
  /** `$create` is implemented (with X3's business rules) for these classes only. */
  creatable?: boolean;
}

const AUDIT = ['CREDATTIM', 'UPDDATTIM', 'CREUSR', 'UPDUSR'];

function def(className: string, keyFields: string[], fields: string[], extra: Partial<X3ClassDef> = {}): X3ClassDef {
  return { className, keyFields, fields: [...fields, ...AUDIT], ...extra };
}

export const X3_CLASSES: Record<string, X3ClassDef> = {
  GACCOUNT: def('GACCOUNT', ['ACC'], ['ACC', 'DES', 'ENAFLG', 'DIE']),
  CACCE: def('CACCE', ['DIE', 'CCE'], ['DIE', 'CCE', 'DES', 'ENAFLG']),
  BPSUPPLIER: def('BPSUPPLIER', ['BPSNUM'], ['BPSNUM', 'BPSNAM', 'ENAFLG', 'CUR']),
  ITMMASTER: def('ITMMASTER', ['ITMREF'], ['ITMREF', 'ITMDES1', 'TCLCOD', 'STU']),
  PORDER: def('PORDER', ['POHNUM'], ['POHNUM', 'POHFCY', 'BPSNUM', 'ORDDAT', 'CUR'], {
    lines: { field: 'PORDERQ', fields: ['POPLIN', 'ITMREF', 'QTYUOM', 'NETPRI'] },
  }),
  PRECEIPT: def('PRECEIPT', ['PTHNUM'], ['PTHNUM', 'PRHFCY', 'BPSNUM', 'RCPDAT'], {
    lines: { field: 'PRECEIPTD', fields: ['PTDLIN', 'POHNUM', 'POPLIN', 'ITMREF', 'QTYUOM'] },
  }),
  GACCENTRY: def(
    'GACCENTRY',
    ['TYP', 'NUM'],
    ['TYP', 'NUM', 'FCY', 'CPY', 'JOU', 'ACCDAT', 'CUR', 'REF', 'DESVCR', 'FIY', 'PER', 'STA'],
    {
      lines: {
        field: 'GACCENTRYD',
        fields: [
          'TYP',
          'NUM',
          'LIN',
          'LEDTYP',
          'ACC',
          'BPR',
          'SNS',
          'CUR',
          'AMTCUR',
          'AMTLED',
          'DES',
          'MTC',
          'FIY',
          'PER',
          'DIE',
          'CCE',
        ],
      },
      creatable: true,
    },
  ),
  PINVOICE: def(
    'PINVOICE',
    ['NUM'],
    ['NUM', 'FCY', 'BPR', 'BPRVCR', 'BPRDAT', 'ACCDAT', 'CUR', 'REF', 'DES', 'AMTNOT', 'MATSTA'],
    {
      lines: { field: 'PINVOICED', fields: ['LIN', 'POHNUM', 'POPLIN', 'ITMREF', 'QTYUOM', 'NETPRI'] },
      creatable: true,
    },
  ),
  FACILITY: def('FACILITY', ['FCY'], ['FCY', 'CPY', 'DES']),
  COMPANY: def('COMPANY', ['CPY'], ['CPY', 'DES', 'CUR']),
  GJOURNAL: def('GJOURNAL', ['JOU'], ['JOU', 'DES', 'ENAFLG']),
  TABCUR: def('TABCUR', ['CUR'], ['CUR', 'DES', 'CURDEC']),
  FISCALYEAR: def('FISCALYEAR', ['CPY', 'FIY'], ['CPY', 'FIY', 'STRDAT', 'ENDDAT', 'FIYSTA']),
  PERIOD: def('PERIOD', ['CPY', 'FIY', 'PER'], ['CPY', 'FIY', 'PER', 'STRDAT', 'ENDDAT', 'PERSTA']),
};

/** X3 "Yes/No" local menu values. */
export const X3_YES = 2;
export const X3_NO = 1;
