// The wallets of a property test, kept as the database keeps them: grants with what was granted,
// consumed and expired of each, invoices paid as the period invoice is (promotional credit before
// tax, purchased credit after it), and the invariants every history must keep. Shared by the
// wallet and threshold billing property tests.
import { expect } from 'vitest';
import { afterDraws, expiringAmount, type GrantBalance } from '../../domain/wallets/draw.ts';
import { promotionalCredit, purchasedCredit } from '../../domain/wallets/invoice-credit.ts';

export function walletLedger() {
  let grants: GrantBalance[] = [];
  const granted = new Map<string, number>();
  const consumed = new Map<string, number>();
  const expired = new Map<string, number>();
  const add = (m: Map<string, number>, id: string, n: number) => m.set(id, (m.get(id) ?? 0) + n);

  return {
    get grants(): readonly GrantBalance[] {
      return grants;
    },
    grant(grant: GrantBalance): void {
      grants.push(grant);
      granted.set(grant.grantId, grant.remaining);
    },
    /** Expires what is left of every grant past its expiry at `at`. */
    expireAt(at: string): void {
      grants = grants.map((g) => {
        const gone = expiringAmount(g, at);
        if (gone > 0) add(expired, g.grantId, gone);
        return { ...g, remaining: g.remaining - gone };
      });
    },
    /**
     * Pays an invoice of `lineNets` (after discounts, before tax) as the period invoice is, and
     * checks that every unit is paid by exactly one source and only by a grant of the right kind.
     */
    pay(invoice: { lineNets: number[]; planCode: string | null; at: string; taxPercent: number }) {
      const promo = promotionalCredit(grants, invoice);
      grants = afterDraws(grants, promo.draws);
      promo.draws.forEach((d) => add(consumed, d.grantId, d.amount));
      const net = invoice.lineNets.reduce((a, b) => a + b, 0) - promo.total;
      const total = net + Math.round((net * invoice.taxPercent) / 100);
      const { planCode, at } = invoice;
      const paid = purchasedCredit(grants, { planCode, at, amountDue: total });
      grants = afterDraws(grants, paid.draws);
      paid.draws.forEach((d) => add(consumed, d.grantId, d.amount));
      const invoicePays = total - paid.total;
      // Every unit of the pre-tax amount: promotional credit or the taxed rest; every unit of
      // the taxed rest: purchased credit or the invoice.
      expect(promo.lineDiscounts.reduce((a, b) => a + b, 0)).toBe(promo.total);
      expect(promo.draws.reduce((a, d) => a + d.amount, 0)).toBe(promo.total);
      expect(paid.draws.reduce((a, d) => a + d.amount, 0) + invoicePays).toBe(total);
      expect(invoicePays).toBeGreaterThanOrEqual(0);
      const kindOf = (id: string) => grants.find((g) => g.grantId === id)!.kind;
      promo.draws.forEach((d) => expect(kindOf(d.grantId)).toBe('promotional'));
      paid.draws.forEach((d) => expect(kindOf(d.grantId)).toBe('purchased'));
      return { promo, paid, total, invoicePays };
    },
    /** Never negative; each grant's balance is what was granted less consumed less expired. */
    checkBalances(): void {
      for (const g of grants) {
        expect(g.remaining).toBeGreaterThanOrEqual(0);
        expect(g.remaining).toBe(
          granted.get(g.grantId)! - (consumed.get(g.grantId) ?? 0) - (expired.get(g.grantId) ?? 0),
        );
      }
    },
  };
}
