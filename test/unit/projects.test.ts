// Project billing arithmetic: contracts priced into a deposit and milestones (never more than the
// contract), retainage, change orders, hours rounding and pricing, budgets and month boundaries.
import { describe, expect, test } from 'vitest';
import {
  applyChangeOrder,
  priceProject,
  ProjectTermsError,
  retainageOf,
  type ProjectTerms,
} from '../../domain/projects/terms.ts';
import {
  checkBudget,
  hoursAmount,
  hoursLines,
  minutesOf,
  roundMinutes,
} from '../../domain/projects/hours.ts';
import { dueInstant, monthEndingAt, nextMonthStart } from '../../domain/projects/calendar.ts';

const EUR_1M = 100_000_000; // EUR 1,000,000.00 in cents

const worked: ProjectTerms = {
  contractValue: EUR_1M,
  currency: 'EUR',
  deposit: { percent: '15' },
  sequential: true,
  milestones: [
    { key: 'mid', name: 'Mid-point', price: { percent: '30' }, requiresApproval: true },
    { key: 'done', name: 'Completion', price: { balance: true }, requiresApproval: false },
  ],
};

function refusal(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProjectTermsError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a ProjectTermsError');
}

describe('priceProject', () => {
  test('EUR 1,000,000 with 15 % deposit, 30 % mid-point and the balance: 150k / 300k / 550k', () => {
    expect(priceProject(worked)).toEqual({
      deposit: 15_000_000,
      milestones: [
        { key: 'mid', amount: 30_000_000 },
        { key: 'done', amount: 55_000_000 },
      ],
    });
  });

  test('percentages round half up once per milestone', () => {
    const priced = priceProject({
      ...worked,
      contractValue: 100_001,
      deposit: undefined,
      milestones: [
        { key: 'a', name: 'A', price: { percent: '33.3333' }, requiresApproval: false },
        { key: 'b', name: 'B', price: { balance: true }, requiresApproval: false },
      ],
    });
    // 100001 × 33.3333 % = 33333.63 → 33334; the balance takes the rest exactly.
    expect(priced.milestones).toEqual([
      { key: 'a', amount: 33_334 },
      { key: 'b', amount: 66_667 },
    ]);
  });

  test('percentages and amounts never exceed the contract (422 naming the field)', () => {
    expect(
      refusal(() =>
        priceProject({
          ...worked,
          milestones: [
            { key: 'a', name: 'A', price: { percent: '60' }, requiresApproval: false },
            { key: 'b', name: 'B', price: { amount: 30_000_000 }, requiresApproval: false },
          ],
        }),
      ).field,
    ).toBe('milestones');
    expect(
      refusal(() =>
        priceProject({
          ...worked,
          milestones: [
            { key: 'a', name: 'A', price: { amount: EUR_1M + 1 }, requiresApproval: false },
          ],
        }),
      ).field,
    ).toBe('milestones[0].price.amount');
    expect(
      refusal(() =>
        priceProject({
          ...worked,
          milestones: [{ key: 'a', name: 'A', price: { percent: '120' }, requiresApproval: false }],
        }),
      ).field,
    ).toBe('milestones[0].price.percent');
  });

  test('a balance with nothing left, two balances, duplicate keys are refused', () => {
    const full: ProjectTerms = {
      ...worked,
      milestones: [
        { key: 'a', name: 'A', price: { percent: '85' }, requiresApproval: false },
        { key: 'b', name: 'B', price: { balance: true }, requiresApproval: false },
      ],
    };
    expect(refusal(() => priceProject(full)).field).toBe('milestones[1].price');
    const twice: ProjectTerms = {
      ...worked,
      milestones: [
        { key: 'a', name: 'A', price: { balance: true }, requiresApproval: false },
        { key: 'b', name: 'B', price: { balance: true }, requiresApproval: false },
      ],
    };
    expect(refusal(() => priceProject(twice)).field).toBe('milestones[1].price');
    const dup: ProjectTerms = {
      ...worked,
      milestones: [
        { key: 'a', name: 'A', price: { amount: 1 }, requiresApproval: false },
        { key: 'a', name: 'A again', price: { amount: 1 }, requiresApproval: false },
      ],
    };
    expect(refusal(() => priceProject(dup)).field).toBe('milestones[1].key');
  });
});

describe('retainage and change orders', () => {
  test('retainage is a percentage of each milestone', () => {
    expect(retainageOf(30_000_000, '5')).toBe(1_500_000);
    expect(retainageOf(30_000_000, undefined)).toBe(0);
  });

  test('adding a milestone with a larger contract re-prices the balance, keeps what is locked', () => {
    const { terms, priced } = applyChangeOrder(
      { ...worked, deposit: { amount: 15_000_000 } },
      {
        contractValue: 110_000_000,
        addMilestone: {
          key: 'extra',
          name: 'Extra wing',
          price: { amount: 5_000_000 },
          requiresApproval: false,
        },
      },
      new Set(['mid']),
      new Map([['mid', 30_000_000]]),
    );
    expect(terms.milestones.map((m) => m.key)).toEqual(['mid', 'done', 'extra']);
    expect(priced.milestones).toEqual([
      { key: 'mid', amount: 30_000_000 },
      { key: 'done', amount: 60_000_000 },
      { key: 'extra', amount: 5_000_000 },
    ]);
  });

  test('a completed milestone keeps its price; an overpriced change names its field', () => {
    expect(
      refusal(() =>
        applyChangeOrder(
          worked,
          { reprice: { key: 'mid', price: { amount: 1 } } },
          new Set(['mid']),
          new Map(),
        ),
      ).field,
    ).toBe('reprice.key');
    expect(
      refusal(() =>
        applyChangeOrder(
          worked,
          {
            addMilestone: {
              key: 'x',
              name: 'X',
              price: { amount: EUR_1M },
              requiresApproval: false,
            },
          },
          new Set(),
          new Map(),
        ),
      ).field,
    ).toBe('addMilestone');
    expect(
      refusal(() =>
        applyChangeOrder(
          worked,
          {
            addMilestone: {
              key: 'x',
              name: 'X',
              price: { amount: EUR_1M + 1 },
              requiresApproval: false,
            },
          },
          new Set(),
          new Map(),
        ),
      ).field,
    ).toBe('addMilestone.price.amount');
    // Shrinking the contract below what is priced names the contract value.
    expect(
      refusal(() =>
        applyChangeOrder(
          { ...worked, milestones: [worked.milestones[0]!] },
          { contractValue: 10_000_000 },
          new Set(),
          new Map([['mid', 30_000_000]]),
        ),
      ).field,
    ).toBe('contractValue');
  });
});

describe('hours', () => {
  test('rounded up to the increment, priced once per entry', () => {
    expect(roundMinutes(50, 15)).toBe(60);
    expect(roundMinutes(60, 15)).toBe(60);
    expect(roundMinutes(61, 15)).toBe(75);
    expect(roundMinutes(7, 1)).toBe(7);
    // 75 min at €150/h = €187.50
    expect(hoursAmount(75, 15_000)).toBe(18_750);
    // 10 min at €100.01/h = 1666.83… → 1667
    expect(hoursAmount(10, 10_001)).toBe(1_667);
  });

  test('hours in requests are whole minutes, above 0 and at most 24', () => {
    expect(minutesOf('1.5')).toBe(90);
    expect(minutesOf(0.25)).toBe(15);
    expect(() => minutesOf('0.001')).toThrow(RangeError);
    expect(() => minutesOf(25)).toThrow(RangeError);
    expect(() => minutesOf('abc')).toThrow(RangeError);
  });

  test('the budget warns once at the threshold and refuses past the amount', () => {
    const budget = { amount: 100_000, warnAtPercent: 80, hardStop: true };
    expect(checkBudget(budget, 70_000, 5_000)).toEqual({
      crossesWarning: false,
      exceeds: false,
      usedAfter: 75_000,
    });
    expect(checkBudget(budget, 75_000, 5_000).crossesWarning).toBe(true);
    expect(checkBudget(budget, 80_000, 5_000).crossesWarning).toBe(false);
    expect(checkBudget(budget, 99_000, 2_000).exceeds).toBe(true);
    expect(checkBudget(undefined, 0, 1).exceeds).toBe(false);
  });

  test('lines per person sum their entries; per entry show each', () => {
    const entries = [
      {
        id: '1',
        person: 'Ana',
        role: 'senior',
        workDate: '2027-01-04',
        billedMinutes: 60,
        hourlyRate: 15_000,
        amount: 15_000,
        description: 'Design',
      },
      {
        id: '2',
        person: 'Ana',
        role: 'senior',
        workDate: '2027-01-05',
        billedMinutes: 90,
        hourlyRate: 15_000,
        amount: 22_500,
        description: 'Review',
      },
      {
        id: '3',
        person: 'Bo',
        role: null,
        workDate: '2027-01-05',
        billedMinutes: 15,
        hourlyRate: 8_000,
        amount: 2_000,
        description: 'Call',
      },
    ];
    const rate = (a: number) => `€${a / 100}`;
    expect(hoursLines(entries, 'per_person', rate)).toEqual([
      { description: 'Ana: 2.5 h at €150/h', quantity: '2.5', unitAmount: '15000', amount: 37_500 },
      { description: 'Bo: 0.25 h at €80/h', quantity: '0.25', unitAmount: '8000', amount: 2_000 },
    ]);
    expect(hoursLines(entries, 'per_entry', rate).map((l) => l.description)).toEqual([
      '2027-01-04 Ana (senior): Design — 1 h at €150/h',
      '2027-01-05 Ana (senior): Review — 1.5 h at €150/h',
      '2027-01-05 Bo: Call — 0.25 h at €80/h',
    ]);
  });
});

describe('calendar', () => {
  test('a due date passes at the end of that day in the customer’s zone', () => {
    expect(dueInstant('2027-03-31', 'Europe/Paris')).toBe('2027-03-31T22:00:00.000Z');
  });

  test('hours are invoiced at each local month start, for the month that ended', () => {
    const next = nextMonthStart('2027-01-31T23:30:00.000Z', 'Europe/Paris');
    // 00:30 on 1 Feb in Paris is already February: the next month start is 1 March.
    expect(next).toBe('2027-02-28T23:00:00.000Z');
    expect(monthEndingAt(next, 'Europe/Paris')).toEqual({
      label: '2027-02',
      firstDay: '2027-02-01',
      endDay: '2027-03-01',
    });
  });
});
