// The recurring top-up's periods, worked through: months from the anchor (never from a clamped
// previous date), weeks, and the first period at or after an instant.
import { expect, test } from 'vitest';
import { nextTopUpPeriod } from '../../domain/wallets/top-up.ts';

test('monthly periods count from the anchor, clamped per month', () => {
  const anchor = '2027-01-31T00:00:00.000Z';
  expect(nextTopUpPeriod(anchor, 'month', '2027-01-01T00:00:00.000Z')).toBe(anchor);
  expect(nextTopUpPeriod(anchor, 'month', anchor)).toBe(anchor);
  expect(nextTopUpPeriod(anchor, 'month', '2027-01-31T00:00:00.001Z')).toBe(
    '2027-02-28T00:00:00.000Z',
  );
  expect(nextTopUpPeriod(anchor, 'month', '2027-03-01T00:00:00.000Z')).toBe(
    '2027-03-31T00:00:00.000Z',
  );
  expect(nextTopUpPeriod(anchor, 'month', '2028-02-15T00:00:00.000Z')).toBe(
    '2028-02-29T00:00:00.000Z',
  );
});

test('weekly periods', () => {
  const anchor = '2027-01-04T09:00:00.000Z';
  expect(nextTopUpPeriod(anchor, 'week', '2027-01-04T09:00:00.001Z')).toBe(
    '2027-01-11T09:00:00.000Z',
  );
  expect(nextTopUpPeriod(anchor, 'week', '2027-03-01T09:00:00.000Z')).toBe(
    '2027-03-01T09:00:00.000Z',
  );
});
