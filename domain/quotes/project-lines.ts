// A project quote's lines, pure: the deposit and each milestone as priceProject (the function the
// project's own invoices are priced with) comes to, as rated lines the estimate document shows.
import { money } from '../core/money.ts';
import type { PricedProject, ProjectTerms } from '../projects/terms.ts';
import type { RatedLine, RatedPeriod } from '../rating/types.ts';

function fixedLine(id: string, description: string, amount: number, currency: string): RatedLine {
  return {
    id,
    kind: 'charge',
    chargeKey: id,
    billing: 'advance',
    description,
    quantity: '1',
    usedQuantity: '1',
    freeUnits: null,
    billedQuantity: '1',
    unitPrice: String(amount),
    capped: false,
    components: [{ label: description, quantity: null, unitPrice: null, amount: String(amount) }],
    exactAmount: String(amount),
    amount: money(amount, currency),
    explanation: [`${description}: ${amount} minor units`],
  };
}

/** The deposit (when there is one) and every milestone, summing to what the terms price. */
export function projectQuotePeriod(
  terms: ProjectTerms,
  priced: PricedProject,
  depositLabel: string,
): RatedPeriod {
  const { currency } = terms;
  const lines = [
    ...(priced.deposit > 0 ? [fixedLine('deposit', depositLabel, priced.deposit, currency)] : []),
    ...terms.milestones.map((m, i) =>
      fixedLine(`milestone/${m.key}`, m.name, priced.milestones[i]!.amount, currency),
    ),
  ];
  const total = money(
    lines.reduce((sum, l) => sum + l.amount.amount, 0),
    currency,
  );
  return {
    currency,
    roundingMode: 'half_up',
    lines,
    subtotal: total,
    discounts: [],
    discountTotal: money(0, currency),
    netLines: lines.map((l) => ({ lineId: l.id, amount: l.amount })),
    totalBeforeTax: total,
    appliedCoupons: [],
  };
}
