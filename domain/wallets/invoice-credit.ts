// How an invoice uses wallet credit, in two stages around tax. Promotional credit (given free)
// lowers the price: it is taken before tax, spread over the invoice's lines as a discount, so the
// tax is computed on what the customer really pays for. Purchased credit was bought with money:
// it pays the taxed total like a payment does, after tax. See docs/WALLETS.md for why.
import { allocate } from '../rating/discounts.ts';
import { drawCredit, type Draw, type GrantBalance } from './draw.ts';

/** The payments source of purchased wallet credit paying an invoice. */
export const WALLET_PAYMENT_SOURCE = 'wallet';

export interface PromotionalCredit {
  draws: Draw[];
  /** The discount each line takes, in the lines' order; adds up to the draws. */
  lineDiscounts: number[];
  total: number;
}

/**
 * The promotional credit an invoice takes before tax: drawn against the lines' net amounts
 * (after their other discounts), then spread over them in proportion (largest remainder).
 */
export function promotionalCredit(
  grants: readonly GrantBalance[],
  invoice: { planCode: string | null; at: string; lineNets: readonly number[] },
): PromotionalCredit {
  const nets = invoice.lineNets.map((n) => Math.max(n, 0));
  const net = nets.reduce((a, b) => a + b, 0);
  const { draws, uncovered } = drawCredit(grants, {
    amount: net,
    planCode: invoice.planCode,
    at: invoice.at,
    kinds: ['promotional'],
  });
  const total = net - uncovered;
  return { draws, lineDiscounts: allocate(total, nets), total };
}

/** The purchased credit that pays an invoice's amount due after tax. */
export function purchasedCredit(
  grants: readonly GrantBalance[],
  invoice: { planCode: string | null; at: string; amountDue: number },
): { draws: Draw[]; total: number } {
  const { draws, uncovered } = drawCredit(grants, {
    amount: Math.max(invoice.amountDue, 0),
    planCode: invoice.planCode,
    at: invoice.at,
    kinds: ['purchased'],
  });
  return { draws, total: Math.max(invoice.amountDue, 0) - uncovered };
}
