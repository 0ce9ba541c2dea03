// A reference of the SQL side of percentage usage (catalog.ts, PercentageUsage), over a list of
// transaction amounts in order: the contract the SQL implements, written the slow, plain way.
import type { PercentagePricing, PercentageUsage } from '../../domain/catalog/types.ts';
import { decimal, ZERO } from '../../domain/core/decimal.ts';
import { percentageUsageQuery } from '../../domain/rating/percentage.ts';

export function percentageUsageFromTransactions(
  pricing: PercentagePricing,
  amounts: readonly string[],
): PercentageUsage {
  const q = percentageUsageQuery(pricing);
  // "0" is no allowance: no limit on that side.
  const freeCount = decimal(q.freeTransactions).gt(0) ? Number(q.freeTransactions) : Infinity;
  const freeAmount = decimal(q.freeAmount).gt(0) ? decimal(q.freeAmount) : null;
  const anyFree = freeCount !== Infinity || freeAmount !== null;
  let running = ZERO;
  const chargeable: ReturnType<typeof decimal>[] = [];
  amounts.forEach((raw, i) => {
    const a = decimal(raw);
    running = running.plus(a);
    const n = i + 1;
    const free = anyFree && n <= freeCount && (freeAmount === null || running.lte(freeAmount));
    if (free) return;
    if (n > freeCount || freeAmount === null) chargeable.push(a);
    else chargeable.push(running.minus(freeAmount).gt(a) ? a : running.minus(freeAmount));
  });
  const band = (pick: (a: ReturnType<typeof decimal>) => boolean) => {
    const picked = chargeable.filter(pick);
    return {
      count: String(picked.length),
      amount: picked.reduce((t, a) => t.plus(a), ZERO).toFixed(),
    };
  };
  return {
    transactionCount: String(amounts.length),
    totalAmount: amounts.reduce((t, a) => t.plus(a), ZERO).toFixed(),
    chargeable: band(() => true),
    ...(q.belowMinimumIfProductBelow !== null && {
      belowMinimum: band((a) => a.times(q.rate).lt(q.belowMinimumIfProductBelow!)),
    }),
    ...(q.aboveMaximumIfProductAbove !== null && {
      aboveMaximum: band((a) => a.times(q.rate).gt(q.aboveMaximumIfProductAbove!)),
    }),
  };
}
