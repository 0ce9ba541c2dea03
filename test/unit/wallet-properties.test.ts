// Invariants of wallet credit over random histories: grants (purchased, promotional, with and
// without expiry, scoped or not), invoices drawing credit before and after tax, time passing
// and expiring what is left. The wallet never goes below zero, every unit of an invoice is paid
// by exactly one source (a grant or the invoice itself), and each grant's balance is what was
// granted less what was consumed less what expired.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterDraws,
  drawCredit,
  expiringAmount,
  type GrantBalance,
  type GrantKind,
} from '../../domain/wallets/draw.ts';
import { promotionalCredit, purchasedCredit } from '../../domain/wallets/invoice-credit.ts';
import { fixPropertySeed } from '../support/property-seed.ts';

fixPropertySeed('wallet-properties');

const PLANS = ['basic', 'pro'] as const;
const START = Date.parse('2027-01-01T00:00:00Z');
const DAY = 86_400_000;

type Step =
  | {
      op: 'grant';
      kind: GrantKind;
      priority: number;
      amount: number;
      expiresInDays: number | null;
      scope: string[] | null;
    }
  | { op: 'invoice'; lineNets: number[]; planCode: string | null; taxPercent: number }
  | { op: 'wait'; days: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('grant' as const),
    kind: fc.constantFrom<GrantKind>('purchased', 'promotional'),
    priority: fc.integer({ min: 1, max: 3 }),
    amount: fc.integer({ min: 1, max: 50_000 }),
    expiresInDays: fc.option(fc.integer({ min: 1, max: 90 }), { nil: null }),
    scope: fc.option(fc.subarray([...PLANS], { minLength: 1 }), { nil: null }),
  }),
  fc.record({
    op: fc.constant('invoice' as const),
    lineNets: fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 4 }),
    planCode: fc.constantFrom<string | null>(null, ...PLANS),
    taxPercent: fc.constantFrom(0, 7, 20),
  }),
  fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 60 }) }),
);

describe('wallet credit over random histories', () => {
  it('never negative, each unit paid once, balances = granted − consumed − expired', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
        let now = START;
        let grants: GrantBalance[] = [];
        const granted = new Map<string, number>();
        const consumed = new Map<string, number>();
        const expired = new Map<string, number>();
        const add = (m: Map<string, number>, id: string, n: number) =>
          m.set(id, (m.get(id) ?? 0) + n);
        const expire = () => {
          const at = new Date(now).toISOString();
          grants = grants.map((g) => {
            const gone = expiringAmount(g, at);
            if (gone > 0) add(expired, g.grantId, gone);
            return { ...g, remaining: g.remaining - gone };
          });
        };
        steps.forEach((step, i) => {
          const at = new Date(now).toISOString();
          if (step.op === 'grant') {
            const grantId = `g${String(i).padStart(3, '0')}`;
            grants.push({
              grantId,
              kind: step.kind,
              priority: step.priority,
              scope: step.scope === null ? null : { planCodes: step.scope },
              expiresAt:
                step.expiresInDays === null
                  ? null
                  : new Date(now + step.expiresInDays * DAY).toISOString(),
              grantedAt: at,
              remaining: step.amount,
            });
            granted.set(grantId, step.amount);
          } else if (step.op === 'wait') {
            now += step.days * DAY;
            expire();
          } else {
            const promo = promotionalCredit(grants, { ...step, at });
            grants = afterDraws(grants, promo.draws);
            promo.draws.forEach((d) => add(consumed, d.grantId, d.amount));
            // Each line's discount stays within the line.
            promo.lineDiscounts.forEach((d, j) => expect(d).toBeLessThanOrEqual(step.lineNets[j]!));
            const net = step.lineNets.reduce((a, b) => a + b, 0) - promo.total;
            const total = net + Math.round((net * step.taxPercent) / 100);
            const paid = purchasedCredit(grants, { planCode: step.planCode, at, amountDue: total });
            grants = afterDraws(grants, paid.draws);
            paid.draws.forEach((d) => add(consumed, d.grantId, d.amount));
            const invoicePays = total - paid.total;
            // Every unit of the pre-tax amount: promotional credit or the taxed rest; every unit
            // of the taxed rest: purchased credit or the invoice.
            expect(promo.lineDiscounts.reduce((a, b) => a + b, 0)).toBe(promo.total);
            expect(promo.draws.reduce((a, d) => a + d.amount, 0)).toBe(promo.total);
            expect(paid.draws.reduce((a, d) => a + d.amount, 0) + invoicePays).toBe(total);
            expect(invoicePays).toBeGreaterThanOrEqual(0);
            // Grants of the wrong kind, out of scope, or expired never pay.
            for (const d of [...promo.draws, ...paid.draws]) {
              const g = grants.find((x) => x.grantId === d.grantId)!;
              if (g.scope) expect(g.scope.planCodes).toContain(step.planCode);
              if (g.expiresAt) expect(Date.parse(g.expiresAt)).toBeGreaterThan(now);
            }
            promo.draws.forEach((d) =>
              expect(grants.find((g) => g.grantId === d.grantId)!.kind).toBe('promotional'),
            );
            paid.draws.forEach((d) =>
              expect(grants.find((g) => g.grantId === d.grantId)!.kind).toBe('purchased'),
            );
          }
          for (const g of grants) {
            expect(g.remaining).toBeGreaterThanOrEqual(0);
            expect(g.remaining).toBe(
              granted.get(g.grantId)! -
                (consumed.get(g.grantId) ?? 0) -
                (expired.get(g.grantId) ?? 0),
            );
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('draws in priority order, then earliest expiry, then oldest', () => {
    const grant = (id: string, priority: number, expiresAt: string | null, grantedAt: string) => ({
      grantId: id,
      kind: 'promotional' as const,
      priority,
      scope: null,
      expiresAt,
      grantedAt,
      remaining: 1_000,
    });
    const grants = [
      grant('late-expiry', 1, '2027-06-01T00:00:00Z', '2027-01-01T00:00:00Z'),
      grant('no-expiry-old', 1, null, '2026-01-01T00:00:00Z'),
      grant('second-wallet', 2, '2027-02-01T00:00:00Z', '2026-01-01T00:00:00Z'),
      grant('early-expiry', 1, '2027-03-01T00:00:00Z', '2027-01-05T00:00:00Z'),
      grant('no-expiry-new', 1, null, '2026-06-01T00:00:00Z'),
    ];
    const { draws, uncovered } = drawCredit(grants, {
      amount: 4_500,
      planCode: null,
      at: '2027-01-10T00:00:00Z',
      kinds: ['promotional'],
    });
    expect(draws).toEqual([
      { grantId: 'early-expiry', amount: 1_000 },
      { grantId: 'late-expiry', amount: 1_000 },
      { grantId: 'no-expiry-old', amount: 1_000 },
      { grantId: 'no-expiry-new', amount: 1_000 },
      { grantId: 'second-wallet', amount: 500 },
    ]);
    expect(uncovered).toBe(0);
  });
});
