import type { AccountRule, MappingRules } from './mapping-rules';
import { AccountRuleDto, COST_KINDS, CostKind, RuleAccountPairDto, RuleAccountsDto } from './mapping-rules-v2.dto';

/*
 * Which accounts a job's costs go to (mapping rules version 2; docs/mapping-rules.md "Precedence"). For each cost kind
 * and each side (debit = the cost, credit = its offset) on its own, the first level that sets it wins:
 *   1. a rule naming the job's type AND its business unit
 *   2. a rule naming the job's type (no business units)
 *   3. a rule naming the job's business unit (no job types)
 *   4. the tenant default (accounts.default)
 * Within a level at most one rule can set a given side for a given job: the file is refused otherwise (below), so the
 * order of the rules in the file never matters. An invoice item whose ServiceTitan GL account is in `glAccounts` keeps
 * that account for its debit (the item names its own account; journal-entry.builder.ts).
 */

export const PRECEDENCE = ['job type + business unit', 'job type', 'business unit', 'tenant default'] as const;

type Level = 0 | 1 | 2;
const SIDES = ['debit', 'credit'] as const;

function levelOf(r: Pick<AccountRule, 'jobTypes' | 'businessUnits'>): Level | null {
  if (r.jobTypes && r.businessUnits) return 0;
  if (r.jobTypes) return 1;
  if (r.businessUnits) return 2;
  return null;
}

export interface ResolvedAccount {
  account: string;
  /** The rule (`accounts.rules[2] "installation labor"`) or `accounts.default`. */
  from: string;
}

/** Per cost kind with accounts: the debit (cost) and credit (offset) account for this job. */
export type JobAccounts = Partial<Record<CostKind, { debit: ResolvedAccount; credit: ResolvedAccount }>>;

export interface JobClassifiers {
  jobTypeId?: number | null;
  businessUnitId?: number | null;
}

/** The rules that apply to a job, by level (0 = most specific). */
function applying(rules: MappingRules, job: JobClassifiers): AccountRule[][] {
  const jt = job.jobTypeId ?? null;
  const bu = job.businessUnitId ?? null;
  const levels: AccountRule[][] = [[], [], []];
  for (const r of rules.accounts.rules) {
    const level = levelOf(r);
    if (level === null) continue;
    if (r.jobTypes && (jt === null || !r.jobTypes.includes(jt))) continue;
    if (r.businessUnits && (bu === null || !r.businessUnits.includes(bu))) continue;
    levels[level].push(r);
  }
  return levels;
}

export function accountsForJob(rules: MappingRules, job: JobClassifiers): JobAccounts {
  const levels = applying(rules, job).flat();
  const out: JobAccounts = {};
  for (const kind of COST_KINDS) {
    const side = (s: 'debit' | 'credit'): ResolvedAccount | null => {
      for (const r of levels) {
        const account = r.accounts[kind]?.[s];
        if (account) return { account, from: r.label };
      }
      const account = rules.accounts.default[kind]?.[s];
      return account ? { account, from: 'accounts.default' } : null;
    };
    const debit = side('debit');
    const credit = side('credit');
    if (debit && credit) out[kind] = { debit, credit };
  }
  return out;
}

/**
 * With `jobTypes.strict`: why the job's type is unmapped (no rule names it for the job's business unit), else null.
 * Without strict mode every job is mapped (the default accounts take it).
 */
export function unmappedJobType(rules: MappingRules, job: JobClassifiers): string | null {
  if (!rules.jobTypes.strict) return null;
  const jt = job.jobTypeId ?? null;
  if (jt === null) return 'the job has no job type, and jobTypes.strict requires a rule for its type';
  const naming = rules.accounts.rules.filter((r) => r.jobTypes?.includes(jt));
  if (naming.length === 0) return `job type ${jt} has no rule in the mapping rules (jobTypes.strict)`;
  const [withUnit, typeOnly] = applying(rules, job);
  if (withUnit.length + typeOnly.length > 0) return null;
  const units = [...new Set(naming.flatMap((r) => r.businessUnits ?? []))].sort((a, b) => a - b);
  return `job type ${jt} has rules only for business units ${units.join(', ')}, not for business unit ${
    job.businessUnitId ?? '(none)'
  } (jobTypes.strict)`;
}

/** Ids of a list field, null when absent, 'broken' when invalid (its own problem is reported). */
function ids(v: unknown): number[] | null | 'broken' {
  if (v === undefined) return null;
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isSafeInteger(x) && (x as number) > 0)
    ? (v as number[])
    : 'broken';
}

interface CheckedRule {
  path: string;
  label: string;
  jobTypes: number[] | null;
  businessUnits: number[] | null;
  sets: Set<string>;
}

/**
 * Problems of version 2 `accounts.rules` that no single field shows: a rule that selects nothing or sets nothing, a
 * cost kind side left empty, accounts for a cost kind that takes no costs, two rules of one precedence level that
 * both set the same side for some job (which one applies would depend on the file's order), and strict job types
 * with no rule naming a job type (every job would be rejected).
 */
export function accountRuleProblems(
  rules: unknown[],
  opts: { idle: (kind: CostKind) => string | null; strict: boolean },
): string[] {
  const problems: string[] = [];
  const checked: CheckedRule[] = [];
  rules.forEach((r, i) => {
    if (!(r instanceof AccountRuleDto)) return; // not an object: reported as such
    const path = `accounts.rules[${i}]`;
    const jobTypes = ids(r.jobTypes);
    const businessUnits = ids(r.businessUnits);
    if (jobTypes === null && businessUnits === null)
      problems.push(`${path} needs jobTypes and/or businessUnits (the tenant default is accounts.default)`);
    const sets = new Set<string>();
    const accounts = r.accounts instanceof RuleAccountsDto ? r.accounts : null;
    let kinds = 0;
    for (const kind of COST_KINDS) {
      const pair = accounts?.[kind];
      if (!(pair instanceof RuleAccountPairDto)) continue;
      kinds++;
      if (pair.debit === undefined && pair.credit === undefined)
        problems.push(`${path}.accounts.${kind} needs debit and/or credit`);
      const idle = opts.idle(kind);
      if (idle) problems.push(`${path}.accounts.${kind}: the cost kind ${kind} takes no costs (${idle})`);
      for (const side of SIDES) if (pair[side] !== undefined) sets.add(`${kind}.${side}`);
    }
    if ((r.accounts === undefined || (accounts && kinds === 0)) && jobTypes === null && businessUnits !== null)
      problems.push(`${path} sets no account (only a rule naming job types may leave accounts out)`);
    if (jobTypes !== 'broken' && businessUnits !== 'broken' && (jobTypes || businessUnits))
      checked.push({ path, label: ruleLabelOf(i, r.name), jobTypes, businessUnits, sets });
  });

  for (let i = 0; i < checked.length; i++)
    for (let j = i + 1; j < checked.length; j++) {
      const a = checked[i];
      const b = checked[j];
      const level = levelOf(a);
      if (level !== levelOf(b)) continue;
      const jt = common(a.jobTypes, b.jobTypes);
      const bu = common(a.businessUnits, b.businessUnits);
      if ((a.jobTypes && jt.length === 0) || (a.businessUnits && bu.length === 0)) continue;
      const both = [...a.sets].filter((s) => b.sets.has(s));
      const where = [
        jt.length ? `job type${jt.length > 1 ? 's' : ''} ${jt.join(', ')}` : '',
        bu.length ? `business unit${bu.length > 1 ? 's' : ''} ${bu.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      for (const s of both)
        problems.push(
          `${a.label} and ${b.label} both set ${s} for ${where} at one precedence level (${PRECEDENCE[level as Level]}): which applies would be ambiguous`,
        );
    }

  const namesJobTypes = rules.some((r) => r instanceof AccountRuleDto && r.jobTypes !== undefined);
  if (opts.strict && !namesJobTypes)
    problems.push(
      'jobTypes.strict is true but no rule in accounts.rules names job types: every job would be rejected (JOB_TYPE_UNMAPPED)',
    );
  return problems;
}

function common(a: number[] | null, b: number[] | null): number[] {
  return a && b ? a.filter((x) => b.includes(x)) : [];
}

/** `accounts.rules[2] "installation labor"`: where a rule is, with its name. */
export function ruleLabelOf(index: number, name: unknown): string {
  return `accounts.rules[${index}]${typeof name === 'string' && name ? ` "${name}"` : ''}`;
}
