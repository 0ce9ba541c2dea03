// The hand-computed revenue of one annual plan, the worked example of docs/FINANCE.md: EUR
// 1,000.00 net invoiced for 15 March 2027 to 15 March 2028 (366 days: 2028 is a leap year), and a
// EUR 120.00 net refund on 10 June 2027. Shared by the pure rule's test and the test of a real
// subscription through the API, which must agree with it to the minor unit.

/** A waterfall month as the API answers it. */
export function waterfallRow(
  month: string,
  openingDeferred: number,
  billed: number,
  credited: number,
  recognized: number,
  closingDeferred: number,
) {
  return { month, openingDeferred, billed, credited, recognized, closingDeferred };
}

/**
 * Recognized per month without the refund. Through the end of each month it is
 * round(100000 × days / 366): March, 17 days: 4644.8 → 4645; through April, 47 days:
 * 12841.5… → 12842, so April 8197; through May, 78 days: 21311.47… → 21311, so May 8469; and so
 * on to the last 14 days, in March 2028: 100000 − 96175 = 3825.
 */
export const ANNUAL_PER_MONTH: [month: string, recognized: number][] = [
  ['2027-03', 4645],
  ['2027-04', 8197],
  ['2027-05', 8469],
  ['2027-06', 8197],
  ['2027-07', 8470],
  ['2027-08', 8470],
  ['2027-09', 8197],
  ['2027-10', 8470],
  ['2027-11', 8196],
  ['2027-12', 8470],
  ['2028-01', 8470],
  ['2028-02', 7924],
  ['2028-03', 3825],
];

/**
 * With the refund, as of 30 June 2027. The 87 days to 9 June earned round(100000 × 87 / 366) =
 * round(23770.49…) = 23770; 76230 was left, 64230 after the 12000 refund, spread over the 279 days
 * from 10 June 2027 to 14 March 2028. June: 23770 − 21311 = 2459 for 1–9 June, and
 * round(64230 × 21 / 279) = round(4834.5…) = 4835 for 10–30 June: 7294.
 */
export const REFUNDED_MONTHS = [
  waterfallRow('2027-03', 0, 100_000, 0, 4645, 95_355),
  waterfallRow('2027-04', 95_355, 0, 0, 8197, 87_158),
  waterfallRow('2027-05', 87_158, 0, 0, 8469, 78_689),
  waterfallRow('2027-06', 78_689, 0, 12_000, 7294, 59_395),
  waterfallRow('2027-07', 59_395, 0, 0, 7136, 52_259),
];

/** When the 59395 deferred at the end of 30 June 2027 is recognized. */
export const REFUNDED_SCHEDULE: [month: string, amount: number][] = [
  ['2027-07', 7136],
  ['2027-08', 7137],
  ['2027-09', 6906],
  ['2027-10', 7137],
  ['2027-11', 6906],
  ['2027-12', 7137],
  ['2028-01', 7137],
  ['2028-02', 6676],
  ['2028-03', 3223],
];

export const asSchedule = (rows: [string, number][]) =>
  rows.map(([month, amount]) => ({ month, amount }));
