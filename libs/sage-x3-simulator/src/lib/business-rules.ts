import { Decimal, toDecimal, toDecimalString } from '@connector/decimal';
import { FolderStore, X3Record } from './folder-store';
import { PINVOICE_STA_NOT_VALIDATED, X3_NO, X3_YES } from './x3-classes';

export interface SimDiagnosis {
  severity: 'info' | 'warning' | 'transient' | 'error' | 'fatal';
  message: string;
  /** Offending property, e.g. ['GACCENTRYD', '2', 'ACC']. */
  path?: string[];
}

export type RuleResult = { ok: true; record: X3Record } | { ok: false; diagnoses: SimDiagnosis[] };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function isActive(record: X3Record): boolean {
  return record['ENAFLG'] === X3_YES;
}

/** An amount as a decimal string or JSON number; undefined when not a decimal. */
function amount(value: unknown): Decimal | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return toDecimal(value);
  } catch {
    return undefined;
  }
}

function decimalsOf(d: Decimal): number {
  return d.decimalPlaces();
}

export function currencyDecimals(store: FolderStore, cur: string): number {
  const rec = store.get('TABCUR', cur);
  return typeof rec?.['CURDEC'] === 'number' ? rec['CURDEC'] : 2;
}

/** Fiscal year and period containing the date for the company; diagnoses when missing or closed. */
function fiscalPeriod(
  store: FolderStore,
  cpy: string,
  date: string,
  out: SimDiagnosis[],
): { FIY: string; PER: number } | undefined {
  const year = store
    .list('FISCALYEAR')
    .find((y) => y['CPY'] === cpy && String(y['STRDAT']) <= date && date <= String(y['ENDDAT']));
  if (!year) {
    out.push({
      severity: 'error',
      message: `Accounting date ${date}: no fiscal year defined for company ${cpy}`,
      path: ['ACCDAT'],
    });
    return undefined;
  }
  const fiy = String(year['FIY']);
  if (year['FIYSTA'] === 'closed') {
    out.push({
      severity: 'error',
      message: `Accounting date ${date}: fiscal year ${fiy} is closed for company ${cpy}`,
      path: ['ACCDAT'],
    });
    return undefined;
  }
  const period = store
    .list('PERIOD')
    .find((p) => p['CPY'] === cpy && p['FIY'] === fiy && String(p['STRDAT']) <= date && date <= String(p['ENDDAT']));
  if (!period) {
    out.push({
      severity: 'error',
      message: `Accounting date ${date}: no period defined in fiscal year ${fiy} for company ${cpy}`,
      path: ['ACCDAT'],
    });
    return undefined;
  }
  if (period['PERSTA'] === 'closed') {
    out.push({
      severity: 'error',
      message: `Accounting date ${date}: period ${String(period['PER'])} of fiscal year ${fiy} is closed for company ${cpy}`,
      path: ['ACCDAT'],
    });
    return undefined;
  }
  return { FIY: fiy, PER: Number(period['PER']) };
}

/**
 * GACCENTRY $create with X3's controls: site, journal, entry type, open fiscal period, active accounts,
 * existing/active/allowed cost centers, currency scale and balance per currency (decimal arithmetic). The body is in
 * table field codes (api1 translates the representation's names and refuses unknown properties before).
 */
export function validateJournalEntry(store: FolderStore, body: X3Record): RuleResult {
  const d: SimDiagnosis[] = [];
  const fcy = text(body['FCY']);
  const typ = text(body['TYP']);
  const jou = text(body['JOU']);
  const accdat = text(body['ACCDAT']);
  let cpy: string | undefined;
  let ledgerCur: string | undefined;
  if (!fcy) d.push({ severity: 'error', message: 'Site (FCY) is mandatory', path: ['FCY'] });
  else {
    const site = store.get('FACILITY', fcy);
    if (!site) d.push({ severity: 'error', message: `Site ${fcy} does not exist`, path: ['FCY'] });
    else {
      cpy = String(site['CPY']);
      ledgerCur = String(store.get('COMPANY', cpy)?.['CUR'] ?? '');
    }
  }
  if (!typ) d.push({ severity: 'error', message: 'Entry type (TYP) is mandatory', path: ['TYP'] });
  else if (store.entryTypes && !store.entryTypes.has(typ))
    d.push({ severity: 'error', message: `Entry type ${typ} does not exist`, path: ['TYP'] });
  if (!jou) d.push({ severity: 'error', message: 'Journal (JOU) is mandatory', path: ['JOU'] });
  else {
    const journal = store.get('GJOURNAL', jou);
    if (!journal) d.push({ severity: 'error', message: `Journal ${jou} does not exist`, path: ['JOU'] });
    else if (!isActive(journal)) d.push({ severity: 'error', message: `Journal ${jou} is inactive`, path: ['JOU'] });
  }
  let period: { FIY: string; PER: number } | undefined;
  if (!accdat || !DATE.test(accdat) || Number.isNaN(Date.parse(accdat))) {
    d.push({
      severity: 'error',
      message: 'Accounting date (ACCDAT) is mandatory, format YYYY-MM-DD',
      path: ['ACCDAT'],
    });
  } else if (cpy) period = fiscalPeriod(store, cpy, accdat, d);
  const headerCur = text(body['CUR']) ?? ledgerCur;
  if (headerCur && !store.get('TABCUR', headerCur) && store.list('TABCUR').length) {
    d.push({ severity: 'error', message: `Currency ${headerCur} does not exist`, path: ['CUR'] });
  }
  const sta = body['STA'];
  if (sta !== undefined && sta !== 1 && sta !== 2)
    d.push({ severity: 'error', message: 'Status (STA) must be 1 (temporary) or 2 (final)', path: ['STA'] });

  const rawLines = body['GACCENTRYD'];
  const lines: X3Record[] = [];
  if (!Array.isArray(rawLines) || rawLines.length < 2) {
    d.push({ severity: 'error', message: 'An entry needs at least two lines (GACCENTRYD)', path: ['GACCENTRYD'] });
  } else {
    const totals = new Map<string, { debit: Decimal; credit: Decimal }>();
    rawLines.forEach((raw: unknown, index: number) => {
      const n = index + 1;
      const p = ['GACCENTRYD', String(index)];
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        d.push({ severity: 'error', message: `Line ${n}: not an object`, path: p });
        return;
      }
      const line = raw as X3Record;
      const acc = text(line['ACC']);
      const sns = line['SNS'] === '1' ? 1 : line['SNS'] === '-1' ? -1 : line['SNS'];
      const cur = text(line['CUR']) ?? headerCur ?? '';
      const amt = amount(line['AMTCUR']);
      let account: X3Record | undefined;
      if (!acc) d.push({ severity: 'error', message: `Line ${n}: account (ACC) is mandatory`, path: [...p, 'ACC'] });
      else {
        account = store.get('GACCOUNT', acc);
        if (!account)
          d.push({ severity: 'error', message: `Line ${n}: account ${acc} does not exist`, path: [...p, 'ACC'] });
        else if (!isActive(account))
          d.push({ severity: 'error', message: `Line ${n}: account ${acc} is inactive`, path: [...p, 'ACC'] });
      }
      if (sns !== 1 && sns !== -1)
        d.push({
          severity: 'error',
          message: `Line ${n}: sign (SNS) must be 1 (debit) or -1 (credit)`,
          path: [...p, 'SNS'],
        });
      if (!amt || amt.isNegative() || amt.isZero()) {
        d.push({
          severity: 'error',
          message: `Line ${n}: amount (AMTCUR) must be a positive decimal`,
          path: [...p, 'AMTCUR'],
        });
      } else if (cur && decimalsOf(amt) > currencyDecimals(store, cur)) {
        d.push({
          severity: 'error',
          message: `Line ${n}: amount ${amt.toFixed()} has more than ${currencyDecimals(store, cur)} decimals for currency ${cur}`,
          path: [...p, 'AMTCUR'],
        });
      }
      // Analytical allocation: the account lists the dimension types it requires (DIE).
      const allowed = Array.isArray(account?.['DIE']) ? (account['DIE'] as string[]) : [];
      const cce = text(line['CCE']);
      const die = text(line['DIE']) ?? (cce ? allowed[0] : undefined);
      if (cce) {
        if (!die)
          d.push({
            severity: 'error',
            message: `Line ${n}: dimension type (DIE) is mandatory with cost center ${cce}`,
            path: [...p, 'DIE'],
          });
        else {
          const center = store.get('CACCE', `${die}~${cce}`);
          if (!center)
            d.push({
              severity: 'error',
              message: `Line ${n}: cost center ${die}~${cce} does not exist`,
              path: [...p, 'CCE'],
            });
          else if (!isActive(center))
            d.push({
              severity: 'error',
              message: `Line ${n}: cost center ${die}~${cce} is inactive`,
              path: [...p, 'CCE'],
            });
          if (account && !allowed.includes(die)) {
            d.push({
              severity: 'error',
              message: `Line ${n}: dimension type ${die} is not allowed for account ${acc}`,
              path: [...p, 'DIE'],
            });
          }
        }
      } else if (account && allowed.length) {
        d.push({
          severity: 'error',
          message: `Line ${n}: dimension type ${allowed[0]} is mandatory for account ${acc}`,
          path: [...p, 'CCE'],
        });
      }
      let amtled: string | undefined;
      if (amt && ledgerCur && cur) {
        const rate = cur === ledgerCur ? '1' : store.exchangeRates.get(`${cur}>${ledgerCur}`);
        if (!rate)
          d.push({
            severity: 'error',
            message: `Line ${n}: no exchange rate from ${cur} to ${ledgerCur}`,
            path: [...p, 'CUR'],
          });
        else amtled = toDecimalString(amt.times(toDecimal(rate)), currencyDecimals(store, ledgerCur));
      }
      if (amt && (sns === 1 || sns === -1)) {
        const t = totals.get(cur) ?? { debit: new Decimal(0), credit: new Decimal(0) };
        if (sns === 1) t.debit = t.debit.plus(amt);
        else t.credit = t.credit.plus(amt);
        totals.set(cur, t);
      }
      lines.push({
        LIN: n,
        LEDTYP: line['LEDTYP'] ?? 1,
        ACC: acc,
        BPR: text(line['BPR']) ?? '',
        SNS: sns,
        CUR: cur,
        AMTCUR: amt && cur ? amt.toFixed(currencyDecimals(store, cur)) : undefined,
        AMTLED: amtled,
        DES: text(line['DES']) ?? '',
        MTC: text(line['MTC']) ?? '',
        DIE: cce ? die : '',
        CCE: cce ?? '',
      });
    });
    for (const [cur, t] of totals) {
      if (!t.debit.eq(t.credit)) {
        const scale = currencyDecimals(store, cur);
        d.push({
          severity: 'error',
          message: `Entry is not balanced in currency ${cur}: debit ${t.debit.toFixed(scale)}, credit ${t.credit.toFixed(scale)}`,
          path: ['GACCENTRYD'],
        });
      }
    }
  }
  if (d.length || !period || !typ || !jou || !fcy || !cpy) return { ok: false, diagnoses: d };
  const num = `${jou}-${period.FIY}-${String(store.nextNumber(`GACCENTRY:${jou}:${period.FIY}`)).padStart(6, '0')}`;
  return {
    ok: true,
    record: {
      TYP: typ,
      NUM: num,
      FCY: fcy,
      CPY: cpy,
      JOU: jou,
      ACCDAT: accdat,
      CUR: headerCur ?? '',
      REF: text(body['REF']) ?? '',
      DESVCR: text(body['DESVCR']) ?? '',
      FIY: period.FIY,
      PER: period.PER,
      STA: sta ?? 1,
      GACCENTRYD: lines.map((l) => ({ TYP: typ, NUM: num, FIY: period?.FIY, PER: period?.PER, ...l })),
    },
  };
}

/**
 * PINVOICE $create: active supplier, unique supplier invoice number per supplier, lines pointing at existing PO
 * lines of that supplier. The invoice is stored not validated (STA 1, internal matching state 'unmatched') until
 * the AP team reconciles it (simulator helper reconcile()).
 */
export function validatePurchaseInvoice(store: FolderStore, body: X3Record): RuleResult {
  const d: SimDiagnosis[] = [];
  const fcy = text(body['FCY']);
  const bpr = text(body['BPR']);
  const bprvcr = text(body['BPRVCR']);
  const bprdat = text(body['BPRDAT']);
  const accdat = text(body['ACCDAT']) ?? bprdat;
  let supplier: X3Record | undefined;
  if (!fcy) d.push({ severity: 'error', message: 'Site (FCY) is mandatory', path: ['FCY'] });
  else if (!store.get('FACILITY', fcy))
    d.push({ severity: 'error', message: `Site ${fcy} does not exist`, path: ['FCY'] });
  if (!bpr) d.push({ severity: 'error', message: 'Supplier (BPR) is mandatory', path: ['BPR'] });
  else {
    supplier = store.get('BPSUPPLIER', bpr);
    if (!supplier) d.push({ severity: 'error', message: `Supplier ${bpr} does not exist`, path: ['BPR'] });
    else if (!isActive(supplier)) d.push({ severity: 'error', message: `Supplier ${bpr} is inactive`, path: ['BPR'] });
  }
  if (!bprvcr)
    d.push({ severity: 'error', message: 'Supplier invoice number (BPRVCR) is mandatory', path: ['BPRVCR'] });
  else if (
    bpr &&
    store.blockDuplicateSupplierInvoiceNumber &&
    store.list('PINVOICE').some((i) => i['BPR'] === bpr && i['BPRVCR'] === bprvcr)
  ) {
    d.push({
      severity: 'error',
      message: `Supplier invoice number ${bprvcr} already exists for supplier ${bpr}`,
      path: ['BPRVCR'],
    });
  }
  for (const [field, value] of [
    ['BPRDAT', bprdat],
    ['ACCDAT', accdat],
  ] as const) {
    if (!value || !DATE.test(value) || Number.isNaN(Date.parse(value))) {
      d.push({ severity: 'error', message: `${field} is mandatory, format YYYY-MM-DD`, path: [field] });
    }
  }
  const cur = text(body['CUR']) ?? (supplier ? text(supplier['CUR']) : undefined) ?? '';
  const amtnotRaw = body['AMTNOT'];
  const amtnot = amtnotRaw === undefined ? undefined : amount(amtnotRaw);
  if (amtnotRaw !== undefined && !amtnot)
    d.push({ severity: 'error', message: 'Control total (AMTNOT) must be a decimal', path: ['AMTNOT'] });

  const rawLines = body['PINVOICED'];
  const lines: X3Record[] = [];
  if (!Array.isArray(rawLines) || !rawLines.length) {
    d.push({ severity: 'error', message: 'An invoice needs at least one line (PINVOICED)', path: ['PINVOICED'] });
  } else {
    rawLines.forEach((raw: unknown, index: number) => {
      const n = index + 1;
      const p = ['PINVOICED', String(index)];
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        d.push({ severity: 'error', message: `Line ${n}: not an object`, path: p });
        return;
      }
      const line = raw as X3Record;
      const pohnum = text(line['POHNUM']);
      const poplin =
        typeof line['POPLIN'] === 'number'
          ? line['POPLIN']
          : typeof line['POPLIN'] === 'string' && /^\d+$/.test(line['POPLIN'])
            ? Number(line['POPLIN'])
            : undefined;
      const qty = amount(line['QTYUOM']);
      const price = amount(line['NETPRI']);
      let itmref = text(line['ITMREF']);
      if (!pohnum)
        d.push({
          severity: 'error',
          message: `Line ${n}: purchase order (POHNUM) is mandatory`,
          path: [...p, 'POHNUM'],
        });
      else {
        const order = store.get('PORDER', pohnum);
        if (!order)
          d.push({
            severity: 'error',
            message: `Line ${n}: purchase order ${pohnum} does not exist`,
            path: [...p, 'POHNUM'],
          });
        else {
          if (bpr && order['BPSNUM'] !== bpr) {
            d.push({
              severity: 'error',
              message: `Line ${n}: purchase order ${pohnum} belongs to supplier ${String(order['BPSNUM'])}, not ${bpr}`,
              path: [...p, 'POHNUM'],
            });
          }
          const poLines = Array.isArray(order['PORDERQ']) ? (order['PORDERQ'] as X3Record[]) : [];
          const poLine = poLines.find((l) => l['POPLIN'] === poplin);
          if (poplin === undefined || !poLine) {
            d.push({
              severity: 'error',
              message: `Line ${n}: purchase order line ${pohnum}/${String(line['POPLIN'] ?? '')} does not exist`,
              path: [...p, 'POPLIN'],
            });
          } else if (itmref && itmref !== poLine['ITMREF']) {
            d.push({
              severity: 'error',
              message: `Line ${n}: product ${itmref} differs from ${String(poLine['ITMREF'])} on purchase order line ${pohnum}/${poplin}`,
              path: [...p, 'ITMREF'],
            });
          } else itmref = String(poLine['ITMREF']);
        }
      }
      if (!qty || qty.lte(0))
        d.push({
          severity: 'error',
          message: `Line ${n}: quantity (QTYUOM) must be a positive decimal`,
          path: [...p, 'QTYUOM'],
        });
      if (!price || price.isNegative())
        d.push({
          severity: 'error',
          message: `Line ${n}: net price (NETPRI) must be a decimal >= 0`,
          path: [...p, 'NETPRI'],
        });
      lines.push({
        LIN: n,
        POHNUM: pohnum,
        POPLIN: poplin,
        ITMREF: itmref ?? '',
        QTYUOM: qty?.toFixed(),
        NETPRI: price?.toFixed(),
      });
    });
  }
  if (d.length || !fcy || !bpr) return { ok: false, diagnoses: d };
  const num = `PI${String(store.nextNumber('PINVOICE')).padStart(8, '0')}`;
  return {
    ok: true,
    record: {
      NUM: num,
      FCY: fcy,
      BPR: bpr,
      BPRVCR: bprvcr,
      BPRDAT: bprdat,
      ACCDAT: accdat,
      CUR: cur,
      PIVTYP: text(body['PIVTYP']) ?? '',
      DES: text(body['DES']) ?? '',
      AMTNOT: amtnot ? amtnot.toFixed(currencyDecimals(store, cur)) : undefined,
      STA: PINVOICE_STA_NOT_VALIDATED,
      MATSTA: 'unmatched',
      PINVOICED: lines,
    },
  };
}

/**
 * BPSUPPLIER $create with X3's controls: code, name, currency and country are mandatory; the code is unique; a tax
 * id (CRN) already used by another supplier is refused when the folder says so (uniqueSupplierTaxId).
 */
export function validateSupplier(store: FolderStore, body: X3Record): RuleResult {
  const d: SimDiagnosis[] = [];
  const code = text(body['BPSNUM']);
  const name = text(body['BPSNAM']);
  const cur = text(body['CUR']);
  const cry = text(body['CRY']);
  const crn = text(body['CRN']);
  if (!code) d.push({ severity: 'error', message: 'Supplier code (BPSNUM) is mandatory', path: ['BPSNUM'] });
  else if (!/^[A-Z0-9_-]+$/.test(code))
    d.push({
      severity: 'error',
      message: `Supplier code ${code}: only capital letters, digits, - and _`,
      path: ['BPSNUM'],
    });
  else if (store.get('BPSUPPLIER', code))
    d.push({ severity: 'error', message: `Supplier ${code} already exists`, path: ['BPSNUM'] });
  if (!name) d.push({ severity: 'error', message: 'Company name (BPSNAM) is mandatory', path: ['BPSNAM'] });
  if (!cur) d.push({ severity: 'error', message: 'Currency (CUR) is mandatory', path: ['CUR'] });
  else if (store.list('TABCUR').length && !store.get('TABCUR', cur))
    d.push({ severity: 'error', message: `Currency ${cur} does not exist`, path: ['CUR'] });
  if (!cry) d.push({ severity: 'error', message: 'Country (CRY) is mandatory', path: ['CRY'] });
  else if (!/^[A-Z]{2,3}$/.test(cry))
    d.push({ severity: 'error', message: `Country ${cry} does not exist`, path: ['CRY'] });
  if (crn && store.uniqueSupplierTaxId) {
    const other = store.list('BPSUPPLIER').find((s) => s['CRN'] === crn && s['BPSNUM'] !== code);
    if (other)
      d.push({
        severity: 'error',
        message: `Tax identification number ${crn} is already used by supplier ${String(other['BPSNUM'])}`,
        path: ['CRN'],
      });
  }
  const flag = body['ENAFLG'];
  if (flag !== undefined && flag !== X3_YES && flag !== X3_NO)
    d.push({ severity: 'error', message: 'Active (ENAFLG) must be 1 (no) or 2 (yes)', path: ['ENAFLG'] });
  if (d.length || !code) return { ok: false, diagnoses: d };
  return {
    ok: true,
    record: {
      BPSNUM: code,
      BPSNAM: name,
      ENAFLG: flag ?? X3_YES,
      CUR: cur,
      CRY: cry,
      CRN: crn ?? '',
    },
  };
}
