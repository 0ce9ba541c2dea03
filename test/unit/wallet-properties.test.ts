// Invariants of wallet credit over random histories: grants (purchased, promotional, with and
// without expiry, scoped or not), invoices drawing credit before and after tax, time passing
// and expiring what is left. The wallet never goes below zero, every unit of an invoice is paid
// by exactly one source (a grant or the invoice itself), and each grant's balance is what was
// granted less what was consumed less what expired.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawCredit, type GrantKind } from '../../domain/wallets/draw.ts';
import { fixPropertySeed } from '../support/property-seed.ts';
import { walletLedger } from '../support/wallet-ledger.ts';

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
        const wallets = walletLedger();
        steps.forEach((step, i) => {
          const at = new Date(now).toISOString();
          if (step.op === 'grant') {
            wallets.grant({
              grantId: `g${String(i).padStart(3, '0')}`,
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
          } else if (step.op === 'wait') {
            now += step.days * DAY;
            wallets.expireAt(new Date(now).toISOString());
          } else {
            const { promo, paid } = wallets.pay({ ...step, at });
            // Each line's discount stays within the line.
            promo.lineDiscounts.forEach((d, j) => expect(d).toBeLessThanOrEqual(step.lineNets[j]!));
            // Grants out of scope, or expired, never pay.
            for (const d of [...promo.draws, ...paid.draws]) {
              const g = wallets.grants.find((x) => x.grantId === d.grantId)!;
              if (g.scope) expect(g.scope.planCodes).toContain(step.planCode);
              if (g.expiresAt) expect(Date.parse(g.expiresAt)).toBeGreaterThan(now);
            }
          }
          wallets.checkBalances();
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
