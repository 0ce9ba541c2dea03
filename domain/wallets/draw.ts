// Which wallet credit pays for what: pure rules shared by invoice finalization, expiry and the
// property test. A customer holds wallets (a currency, a priority, a scope); each wallet holds
// grants (purchased or promotional, each with what remains and an optional expiry). A charge
// draws from the eligible grants in priority order (lower number first), then earliest expiry
// (no expiry last), then oldest, and never takes a grant below zero.

export const GRANT_KINDS = ['purchased', 'promotional'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

/** What a wallet's credit may pay for: every charge, or only invoices of these plans. */
export type WalletScope = { planCodes: readonly string[] } | null;

/** A grant as the draw sees it: what is left of it, and the wallet it sits in. */
export interface GrantBalance {
  grantId: string;
  kind: GrantKind;
  /** The wallet's priority: lower draws first. */
  priority: number;
  scope: WalletScope;
  /** ISO instant; null for credit that never expires. */
  expiresAt: string | null;
  /** ISO instant the credit became usable (the tie-breaker: oldest first). */
  grantedAt: string;
  /** Minor units still available; never negative. */
  remaining: number;
}

/** One charge to pay from credit: its amount and what it is for. */
export interface CreditCharge {
  amount: number;
  /** The plan the invoice bills; null for a manual or project invoice (only unscoped wallets). */
  planCode: string | null;
  /** The instant of the charge: grants expired by then are not used. */
  at: string;
  /** Only grants of these kinds pay (promotional before tax, purchased after). */
  kinds: readonly GrantKind[];
}

export interface Draw {
  grantId: string;
  amount: number;
}

export interface DrawResult {
  draws: Draw[];
  /** What credit did not cover: the invoice's to pay. */
  uncovered: number;
}

/** Whether a wallet with this scope may pay for an invoice of `planCode`. */
export function inScope(scope: WalletScope, planCode: string | null): boolean {
  if (scope === null) return true;
  return planCode !== null && scope.planCodes.includes(planCode);
}

/** Whether the grant is usable at `at`: not expired then, something left. */
export function isUsable(grant: GrantBalance, at: string): boolean {
  return (
    grant.remaining > 0 &&
    (grant.expiresAt === null || Date.parse(grant.expiresAt) > Date.parse(at))
  );
}

/** The order grants are drawn in: priority, then earliest expiry (none last), then oldest. */
export function drawOrder(a: GrantBalance, b: GrantBalance): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ea = a.expiresAt === null ? Infinity : Date.parse(a.expiresAt);
  const eb = b.expiresAt === null ? Infinity : Date.parse(b.expiresAt);
  if (ea !== eb) return ea < eb ? -1 : 1;
  const ga = Date.parse(a.grantedAt);
  const gb = Date.parse(b.grantedAt);
  if (ga !== gb) return ga - gb;
  return a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0;
}

/**
 * Pays as much of `charge` as the eligible grants hold, in draw order. Each draw is at most what
 * its grant has left; the draws and `uncovered` add up to the charge exactly.
 */
export function drawCredit(grants: readonly GrantBalance[], charge: CreditCharge): DrawResult {
  if (!Number.isSafeInteger(charge.amount) || charge.amount < 0) {
    throw new RangeError(`a charge must be a non-negative integer, got ${charge.amount}`);
  }
  const eligible = grants
    .filter(
      (g) =>
        charge.kinds.includes(g.kind) &&
        inScope(g.scope, charge.planCode) &&
        isUsable(g, charge.at),
    )
    .sort(drawOrder);
  let left = charge.amount;
  const draws: Draw[] = [];
  for (const grant of eligible) {
    if (left === 0) break;
    const amount = Math.min(grant.remaining, left);
    draws.push({ grantId: grant.grantId, amount });
    left -= amount;
  }
  return { draws, uncovered: left };
}

/** The grants after the draws: each one's remaining less what it paid. */
export function afterDraws(
  grants: readonly GrantBalance[],
  draws: readonly Draw[],
): GrantBalance[] {
  const paid = new Map<string, number>();
  for (const d of draws) paid.set(d.grantId, (paid.get(d.grantId) ?? 0) + d.amount);
  return grants.map((g) => {
    const remaining = g.remaining - (paid.get(g.grantId) ?? 0);
    if (remaining < 0) throw new RangeError(`grant ${g.grantId} would fall below zero`);
    return { ...g, remaining };
  });
}

/** What a grant loses when it expires at `at`: everything left, if its expiry has come. */
export function expiringAmount(grant: GrantBalance, at: string): number {
  if (grant.expiresAt === null || Date.parse(grant.expiresAt) > Date.parse(at)) return 0;
  return grant.remaining;
}
