// Which charges an invoice of the subscription lifecycle bills, from the workflow's state alone:
// the workflow uses it to issue invoices and the API to predict the next one, so both bill the
// same windows at the same terms. Pure and deterministic.
import type { Span } from '../subscriptions/billing-cycles.ts';
import type { PlanVersion } from '../catalog/types.ts';
import type { Terms, TermsSegment } from './period-invoice.ts';

/** Terms in force from `from` until the next entry (or the period's end). */
export interface TermsFrom extends Terms {
  from: string;
}

export interface InvoiceWindows {
  arrears?: { period: Span; segments: TermsSegment[] };
  advance?: { period: Span; from?: string; terms: Terms };
}

/**
 * The arrears of `period` under the terms in force over it, cut at `until` (a cancel, a resume
 * with a fresh anchor): one segment per entry of `history`, each ending where the next begins.
 */
export function arrearsSegments(
  period: Span,
  history: readonly TermsFrom[],
  until: string = period.end,
): TermsSegment[] {
  const end = Math.min(Date.parse(until), Date.parse(period.end));
  const segments: TermsSegment[] = [];
  history.forEach((terms, i) => {
    const from = Math.max(Date.parse(terms.from), Date.parse(period.start));
    const next = history[i + 1];
    const to = Math.min(next ? Date.parse(next.from) : end, end);
    if (to <= from) return;
    segments.push({
      plan: terms.plan,
      quantity: terms.quantity,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    });
  });
  return segments;
}

/**
 * The invoice at the boundary that opens `opening`: the arrears of the period that closes (at
 * the terms in force over it, cut at `until` when it ends early) and the advance charges of
 * `opening` (from `openingFrom` for a first, stub period) at `terms`.
 */
export function boundaryWindows(request: {
  closing: Span | null;
  history: readonly TermsFrom[];
  until?: string | undefined;
  opening: Span;
  openingFrom?: string | undefined;
  terms: Terms;
}): InvoiceWindows {
  const { closing } = request;
  return {
    ...(closing && {
      arrears: {
        period: closing,
        segments: arrearsSegments(closing, request.history, request.until),
      },
    }),
    advance: {
      period: request.opening,
      ...(request.openingFrom && { from: request.openingFrom }),
      terms: request.terms,
    },
  };
}

/** The plan whose price basis (tax behaviour) an invoice of these windows follows: the latest. */
export function billedPlan(windows: InvoiceWindows): PlanVersion {
  const plan = windows.advance?.terms.plan ?? windows.arrears?.segments.at(-1)?.plan;
  if (!plan) throw new RangeError('an invoice needs arrears or advance charges');
  return plan;
}
