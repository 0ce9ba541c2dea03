// The quote rules: the default validity in the customer's zone, when a quote may be answered,
// and the one seat count a quoted subscription bills.
import { describe, expect, it } from 'vitest';
import {
  defaultValidUntil,
  isAnswerable,
  subscriptionQuantityOf,
} from '../../domain/quotes/terms.ts';

describe('defaultValidUntil', () => {
  it('is the end of the 30th day after issue in the customer’s zone', () => {
    expect(defaultValidUntil(new Date('2027-01-10T09:00:00Z'), 'Europe/Paris').toISOString()).toBe(
      '2027-02-09T22:59:59.999Z',
    );
    // Issued at 23:30 in Tokyo (still the 10th there): through the end of 9 February, Tokyo time.
    expect(defaultValidUntil(new Date('2027-01-10T14:30:00Z'), 'Asia/Tokyo').toISOString()).toBe(
      '2027-02-09T14:59:59.999Z',
    );
  });

  it('crosses a daylight-saving change by calendar days, not 24-hour blocks', () => {
    // Paris moves to summer time on 28 March 2027: the end of 9 April is 21:59:59.999 UTC.
    expect(defaultValidUntil(new Date('2027-03-10T09:00:00Z'), 'Europe/Paris').toISOString()).toBe(
      '2027-04-09T21:59:59.999Z',
    );
  });
});

describe('isAnswerable', () => {
  const validUntil = new Date('2027-02-09T22:59:59.999Z');
  it('while open, up to and including its last instant', () => {
    expect(isAnswerable({ status: 'open', validUntil }, validUntil)).toBe(true);
    expect(isAnswerable({ status: 'open', validUntil }, new Date(validUntil.getTime() + 1))).toBe(
      false,
    );
    expect(isAnswerable({ status: 'accepted', validUntil }, new Date('2027-01-11T00:00:00Z'))).toBe(
      false,
    );
  });
});

describe('subscriptionQuantityOf', () => {
  const seats = { key: 'seats', type: 'per_seat' };
  const editors = { key: 'editors', type: 'per_seat' };
  const base = { key: 'base', type: 'flat' };

  it('is the seat count every per-seat charge was priced with', () => {
    expect(subscriptionQuantityOf([base, seats, editors], { seats: 3, editors: 3 })).toBe(3);
  });
  it('is 0 for seats the estimate left out (it priced them at 0), 1 without seat charges', () => {
    expect(subscriptionQuantityOf([seats], undefined)).toBe(0);
    expect(subscriptionQuantityOf([base], { seats: 5 })).toBe(1);
  });
  it('is null when seat charges were priced with different counts', () => {
    expect(subscriptionQuantityOf([seats, editors], { seats: 3, editors: 2 })).toBeNull();
  });
});
