// A subscription's state at any instant, read back from what the database keeps of its life:
// when it began, its status transitions and its changes of terms, each at its instant on the
// customer's clock.

export interface StatusChange {
  from: string | null;
  to: string;
  at: Date;
}

export interface TermsChange {
  from: SubscriptionTerms;
  to: SubscriptionTerms;
  at: Date;
}

/** The plan version and seats a subscription bills on. */
export interface SubscriptionTerms {
  planId: string;
  version: number;
  quantity: number;
}

export interface SubscriptionHistory {
  id: string;
  customerId: string;
  startedAt: Date;
  /** Its status and terms now (the row). */
  status: string;
  terms: SubscriptionTerms;
  /** Oldest first. */
  transitions: StatusChange[];
  /** Oldest first. */
  changes: TermsChange[];
}

/**
 * Statuses in which a subscription is billed, so counts in MRR: active, past due, and canceled
 * at period end until its paid period closes (then it is ended). Trialing and paused are not.
 */
const BILLED = new Set(['active', 'past_due', 'canceled']);

/** Its status at `at` (events at `at` included), or null before it began. */
export function statusAt(history: SubscriptionHistory, at: Date): string | null {
  if (history.startedAt.getTime() > at.getTime()) return null;
  let status = history.transitions[0]?.from ?? history.status;
  for (const t of history.transitions) {
    if (t.at.getTime() > at.getTime()) break;
    status = t.to;
  }
  return status;
}

/** Its terms at `at`: the last change made by then, else the first change's old terms. */
export function termsAt(history: SubscriptionHistory, at: Date): SubscriptionTerms {
  let terms = history.changes[0]?.from ?? history.terms;
  for (const c of history.changes) {
    if (c.at.getTime() > at.getTime()) break;
    terms = c.to;
  }
  return terms;
}

/** The terms it is billed on at `at`, or null when it is not billed then. */
export function billedTermsAt(history: SubscriptionHistory, at: Date): SubscriptionTerms | null {
  const status = statusAt(history, at);
  return status !== null && BILLED.has(status) ? termsAt(history, at) : null;
}
