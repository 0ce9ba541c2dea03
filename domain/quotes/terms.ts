// What a quote promises, as pure rules: its number series, how long it stays valid by default
// (whole days in the customer's zone), which subscription an estimate describes (a subscription
// has one seat count for all its per-seat charges), and whether a quote may still be answered.
import { DateTime } from 'luxon';

/** Quotes are numbered in their own yearly series (the seller's calendar picks the year). */
export const QUOTE_NUMBER_FORMAT = 'Q-{YYYY}-{SEQ:6}';

export const DEFAULT_VALIDITY_DAYS = 30;

export const QUOTE_STATUSES = ['open', 'accepted', 'declined', 'expired'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/**
 * The default end of validity: the end of the day `days` days after issue, in the customer's
 * zone (a quote issued on 3 December in Paris is valid through 2 January, Paris time).
 */
export function defaultValidUntil(
  issuedAt: Date,
  timezone: string,
  days: number = DEFAULT_VALIDITY_DAYS,
): Date {
  return DateTime.fromJSDate(issuedAt, { zone: timezone }).plus({ days }).endOf('day').toJSDate();
}

/** A quote may be answered while it is open and its validity has not ended at `now`. */
export function isAnswerable(quote: { status: QuoteStatus; validUntil: Date }, now: Date): boolean {
  return quote.status === 'open' && now.getTime() <= quote.validUntil.getTime();
}

/** A charge as far as seats go. */
export interface SeatCharge {
  key: string;
  type: string;
}

/**
 * The one seat count a subscription bills every per-seat charge with, from the quantities an
 * estimate priced each seat charge with (absent: 0 seats, as the estimate priced it). A plan
 * without seat charges starts with quantity 1. Null when the estimate priced seat charges with
 * different counts: no subscription bills that.
 */
export function subscriptionQuantityOf(
  charges: readonly SeatCharge[],
  quantities: Readonly<Record<string, number>> | undefined,
): number | null {
  const seats = charges.filter((c) => c.type === 'per_seat').map((c) => quantities?.[c.key] ?? 0);
  if (seats.length === 0) return 1;
  return seats.every((n) => n === seats[0]) ? seats[0]! : null;
}

/** The customer's answer: who accepted (and from which address), or why they declined. */
export type QuoteAnswer =
  | { decision: 'accept'; name: string; title: string | null; ip: string | null }
  | { decision: 'decline'; reason: string };
