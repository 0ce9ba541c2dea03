// A reference of the SQL side of percentage usage (catalog.ts, PercentageUsage), over a list of
// transaction amounts in order: the contract the SQL implements, written the slow, plain way.
import type { PercentagePricing, PercentageUsage } from '../../../domain/catalog.ts';
import { decimal, ZERO } from '../../../domain/decimal.ts';
import { percentageUsageQuery } from '../../../domain/rating/percentage.ts';

export function percentageUsageFromTransactions(
  pricing: PercentagePricing,
  amounts: readonly string[],
): PercentageUsage {
  const q = percentageUsageQuery(pricing);
  const freeCount = Number(q.freeTransactions);
  let running = ZERO;
  const chargeable = amounts
    .slice(freeCount)
    .map((a) => {
      running = running.plus(a);
      const c = running.minus(q.freeAmount);
      return c.lt(0) ? ZERO : c.gt(a) ? decimal(a) : c;
    })
    .filter((c) => c.gt(0));
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
