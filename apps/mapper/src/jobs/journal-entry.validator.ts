import { JournalEntryLineDto } from '@connector/contracts';
import { Reason, ReasonCodes, uniqueReasons } from '../common/rejection-reasons';
import { MasterDataCache } from '../state/master-data.cache';

/**
 * The checks X3 itself makes (account exists and is active; cost center exists, is active and its dimension type
 * is allowed on the account), made before posting so a bad mapping is rejected with a reason instead of failing in X3.
 */
export function validateJournalLines(tenant: string, lines: JournalEntryLineDto[], cache: MasterDataCache): Reason[] {
  const reasons: Reason[] = [];
  lines.forEach((l, i) => {
    const field = `lines[${i}]`;
    const account = cache.account(tenant, l.account);
    if (!account)
      reasons.push({
        code: ReasonCodes.AccountUnknown,
        message: `X3 account ${l.account} does not exist`,
        field: `${field}.account`,
      });
    else if (!account.active)
      reasons.push({
        code: ReasonCodes.AccountInactive,
        message: `X3 account ${l.account} is inactive`,
        field: `${field}.account`,
      });
    if (!l.costCenter) return;
    const die = l.dimensionType ?? 'CCE';
    const cc = cache.costCenter(tenant, die, l.costCenter);
    if (!cc)
      reasons.push({
        code: ReasonCodes.CostCenterUnknown,
        message: `X3 cost center ${die}/${l.costCenter} does not exist`,
        field: `${field}.costCenter`,
      });
    else if (!cc.active)
      reasons.push({
        code: ReasonCodes.CostCenterInactive,
        message: `X3 cost center ${die}/${l.costCenter} is inactive`,
        field: `${field}.costCenter`,
      });
    if (account && !account.allowedDimensionTypes.includes(die)) {
      reasons.push({
        code: ReasonCodes.DimensionNotAllowed,
        message: `X3 account ${l.account} does not take dimension type ${die} (allowed: ${account.allowedDimensionTypes.join(', ') || 'none'})`,
        field: `${field}.dimensionType`,
      });
    }
  });
  return uniqueReasons(reasons);
}
