/**
 * Tables the simulator stores and the classes it publishes on api1, with X3 field codes, types and lengths.
 * Lengths are inference (Sage publishes no column sizes): plausible values, customisable per representation
 * (Representation.setMaxLength) so a test can reproduce a site's shorter field.
 */
export type X3FieldType = 'string' | 'decimal' | 'integer' | 'date' | 'datetime' | 'menu' | 'list';

export interface X3FieldDef {
  type: X3FieldType;
  maxLength?: number;
  /** Assigned by X3 on create (number, company, period, audit stamps): not in the `$create` facet. */
  assigned?: boolean;
  /** Published in the `$query` facet (summary feed). Default true. */
  query?: boolean;
  /** Simulator-internal state that no standard representation publishes. */
  internal?: boolean;
}

/** One class: its table (every stored field) and the default representation derived from it. */
export interface X3ClassDef {
  className: string;
  keyFields: string[];
  fields: Record<string, X3FieldDef>;
  lines?: { field: string; fields: Record<string, X3FieldDef> };
  /** `$create` is implemented (with X3's business rules) for these classes only. */
  creatable?: boolean;
}

const str = (maxLength: number, extra: Partial<X3FieldDef> = {}): X3FieldDef => ({
  type: 'string',
  maxLength,
  ...extra,
});
const dec: X3FieldDef = { type: 'decimal' };
const int: X3FieldDef = { type: 'integer' };
const date: X3FieldDef = { type: 'date' };
const menu: X3FieldDef = { type: 'menu' };
const assigned = (d: X3FieldDef): X3FieldDef => ({ ...d, assigned: true });

const AUDIT: Record<string, X3FieldDef> = {
  CREDATTIM: { type: 'datetime', assigned: true },
  UPDDATTIM: { type: 'datetime', assigned: true },
  CREUSR: str(5, { assigned: true }),
  UPDUSR: str(5, { assigned: true }),
};

function def(
  className: string,
  keyFields: string[],
  fields: Record<string, X3FieldDef>,
  extra: Partial<X3ClassDef> = {},
): X3ClassDef {
  return { className, keyFields, fields: { ...fields, ...AUDIT }, ...extra };
}

export const X3_CLASSES: Record<string, X3ClassDef> = {
  GACCOUNT: def('GACCOUNT', ['ACC'], { ACC: str(20), DES: str(30), ENAFLG: menu, DIE: { type: 'list' } }),
  CACCE: def('CACCE', ['DIE', 'CCE'], { DIE: str(10), CCE: str(15), DES: str(30), ENAFLG: menu }),
  BPSUPPLIER: def(
    'BPSUPPLIER',
    ['BPSNUM'],
    { BPSNUM: str(15), BPSNAM: str(35), ENAFLG: menu, CUR: str(3), CRY: str(3), CRN: str(20) },
    { creatable: true },
  ),
  // PURBASPRI: base purchase price of the product record, the cost the material sync reads.
  ITMMASTER: def('ITMMASTER', ['ITMREF'], {
    ITMREF: str(20),
    ITMDES1: str(30),
    TCLCOD: str(5),
    STU: str(3),
    PURBASPRI: dec,
  }),
  PORDER: def(
    'PORDER',
    ['POHNUM'],
    { POHNUM: str(20), POHFCY: str(5), BPSNUM: str(15), ORDDAT: date, CUR: str(3) },
    { lines: { field: 'PORDERQ', fields: { POPLIN: int, ITMREF: str(20), QTYUOM: dec, NETPRI: dec } } },
  ),
  PRECEIPT: def(
    'PRECEIPT',
    ['PTHNUM'],
    { PTHNUM: str(20), PRHFCY: str(5), BPSNUM: str(15), RCPDAT: date },
    {
      lines: {
        field: 'PRECEIPTD',
        fields: { PTDLIN: int, POHNUM: str(20), POPLIN: int, ITMREF: str(20), QTYUOM: dec },
      },
    },
  ),
  GACCENTRY: def(
    'GACCENTRY',
    ['TYP', 'NUM'],
    {
      TYP: str(5),
      NUM: assigned(str(20)),
      FCY: str(5),
      CPY: assigned(str(5)),
      JOU: str(5),
      ACCDAT: date,
      CUR: str(3),
      REF: str(30),
      DESVCR: str(30),
      FIY: assigned(str(10)),
      PER: assigned(int),
      STA: menu,
    },
    {
      lines: {
        field: 'GACCENTRYD',
        fields: {
          TYP: assigned(str(5)),
          NUM: assigned(str(20)),
          LIN: assigned(int),
          LEDTYP: menu,
          ACC: str(20),
          BPR: str(15),
          SNS: menu,
          CUR: str(3),
          AMTCUR: dec,
          AMTLED: assigned(dec),
          DES: str(50),
          MTC: str(10),
          FIY: assigned(str(10)),
          PER: assigned(int),
          DIE: str(10),
          CCE: str(15),
        },
      },
      creatable: true,
    },
  ),
  // The public PINVOICE column lists have no REF and no MATSTA: supplier invoices are found by BPR + BPRVCR and
  // their status is STA. MATSTA is the simulator's own matching state (reconcile()), never published by default.
  PINVOICE: def(
    'PINVOICE',
    ['NUM'],
    {
      NUM: assigned(str(20)),
      FCY: str(5),
      PIVTYP: str(5),
      BPR: str(15),
      BPRVCR: str(20),
      BPRDAT: date,
      ACCDAT: date,
      CUR: str(3),
      DES: str(50),
      AMTNOT: dec,
      STA: assigned(menu),
      MATSTA: { type: 'string', maxLength: 10, assigned: true, internal: true },
    },
    {
      lines: {
        field: 'PINVOICED',
        fields: {
          LIN: assigned(int),
          POHNUM: str(20),
          POPLIN: int,
          ITMREF: str(20),
          QTYUOM: dec,
          NETPRI: dec,
        },
      },
      creatable: true,
    },
  ),
  FACILITY: def('FACILITY', ['FCY'], { FCY: str(5), CPY: str(5), DES: str(30) }),
  COMPANY: def('COMPANY', ['CPY'], { CPY: str(5), DES: str(30), CUR: str(3) }),
  GJOURNAL: def('GJOURNAL', ['JOU'], { JOU: str(5), DES: str(30), ENAFLG: menu }),
  TABCUR: def('TABCUR', ['CUR'], { CUR: str(3), DES: str(30), CURDEC: int }),
  FISCALYEAR: def('FISCALYEAR', ['CPY', 'FIY'], {
    CPY: str(5),
    FIY: str(10),
    STRDAT: date,
    ENDDAT: date,
    FIYSTA: str(10),
  }),
  PERIOD: def('PERIOD', ['CPY', 'FIY', 'PER'], {
    CPY: str(5),
    FIY: str(10),
    PER: int,
    STRDAT: date,
    ENDDAT: date,
    PERSTA: str(10),
  }),
};

/** X3 "Yes/No" local menu values. */
export const X3_YES = 2;
export const X3_NO = 1;

/** PINVOICE STA (inference: the local menu's values are unpublished): 1 = not validated, 2 = validated by AP. */
export const PINVOICE_STA_NOT_VALIDATED = 1;
export const PINVOICE_STA_VALIDATED = 2;
