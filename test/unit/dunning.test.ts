// The dunning schedule with worked examples: days counted in the customer's calendar, reminders
// moved into business hours (never early, weekends skipped), same-day order, the heads-up dropped
// when too late, disputes shifting what is left, and policies checked field by field.
import { describe, expect, it } from 'vitest';
import {
  actionTime,
  checkDunningPolicy,
  collectionActions,
  daysOverdue,
  DEFAULT_DUNNING_POLICY,
  type DunningPolicy,
} from '../../domain/collections/dunning.ts';
import { splitPayment } from '../../domain/invoicing/lifecycle.ts';

const NY = 'America/New_York';
const policy: DunningPolicy = {
  ...DEFAULT_DUNNING_POLICY,
  markUncollectibleAfterDays: 30,
  escalation: [
    { daysAfterDue: 1, action: 'past_due' },
    { daysAfterDue: 30, action: 'cancel' },
  ],
};
// Due Friday 2027-03-05 at 18:30 in New York (23:30 UTC): after business hours.
const due = '2027-03-05T23:30:00.000Z';
const issued = '2027-02-19T23:30:00.000Z';

describe('collectionActions', () => {
  it('lists the policy in order, with the subscription told past due before the same-day reminder', () => {
    const actions = collectionActions(policy, due, NY, issued);
    expect(actions.map((a) => `${a.key}@${a.daysAfterDue}`)).toEqual([
      'due-in-3d@-3',
      'past-due@1',
      'overdue-1d@1',
      'overdue-7d@7',
      'overdue-14d@14',
      'final-notice@21',
      'uncollectible@30',
      'cancel@30',
    ]);
    expect(actions.find((a) => a.key === 'overdue-7d')).toMatchObject({
      tone: 'firm',
      number: 2,
      of: 3,
    });
  });

  it('drops the heads-up when the collection starts after it (due on receipt)', () => {
    const actions = collectionActions(policy, due, NY, '2027-03-04T12:00:00Z');
    expect(actions[0]!.key).toBe('past-due');
  });
});

describe('actionTime', () => {
  const [headsUp, pastDue, reminder1] = collectionActions(policy, due, NY, issued);

  it('sends a reminder in the next business hours: Tuesday 18:30 → Wednesday 09:00', () => {
    // Due −3 days = Tuesday 2027-03-02 18:30 local, after closing: Wednesday 09:00 EST.
    expect(actionTime(headsUp!, policy, due, NY)).toBe('2027-03-03T14:00:00.000Z');
  });

  it('skips the weekend: +1 day is Saturday, so Monday 09:00 (EST)', () => {
    expect(actionTime(reminder1!, policy, due, NY)).toBe('2027-03-08T14:00:00.000Z');
  });

  it('counts days in local calendar days across DST, and non-email actions keep the exact time', () => {
    // +30 days: 2027-04-04 18:30 EDT (DST began on 14 March) = 22:30 UTC.
    const uncollectible = collectionActions(policy, due, NY, issued).find(
      (a) => a.kind === 'uncollectible',
    )!;
    expect(actionTime(uncollectible, policy, due, NY)).toBe('2027-04-04T22:30:00.000Z');
    expect(actionTime(pastDue!, policy, due, NY)).toBe('2027-03-06T23:30:00.000Z');
  });

  it('moves later by a dispute’s pause, then back into business hours', () => {
    const fourDays = 4 * 86_400_000;
    // Saturday 18:30 + 4 days = Wednesday 18:30 → Thursday 09:00 EST.
    expect(actionTime(reminder1!, policy, due, NY, fourDays)).toBe('2027-03-11T14:00:00.000Z');
  });

  it('every day when the window allows weekends', () => {
    const everyDay = {
      ...policy,
      sendWindow: { start: '08:00', end: '20:00', weekdaysOnly: false },
    };
    expect(actionTime(reminder1!, everyDay, due, NY)).toBe('2027-03-06T23:30:00.000Z');
  });
});

describe('daysOverdue and splitPayment', () => {
  it('counts whole days since the due date, never below 0', () => {
    expect(daysOverdue(due, '2027-03-12T23:30:00Z')).toBe(7);
    expect(daysOverdue(due, '2027-03-01T00:00:00Z')).toBe(0);
  });

  it('applies a payment up to the balance and carries the rest', () => {
    expect(splitPayment(5000, 12000)).toEqual({ applied: 5000, overpaid: 0 });
    expect(splitPayment(15000, 12000)).toEqual({ applied: 12000, overpaid: 3000 });
    expect(splitPayment(700, 0)).toEqual({ applied: 0, overpaid: 700 });
  });
});

describe('checkDunningPolicy', () => {
  it('accepts the default', () => {
    expect(checkDunningPolicy(DEFAULT_DUNNING_POLICY)).toEqual([]);
  });

  it('names each field at fault', () => {
    const fields = checkDunningPolicy({
      ...policy,
      beforeDue: { daysBefore: 0 },
      reminders: [
        { daysAfterDue: 7, tone: 'firm' },
        { daysAfterDue: 7, tone: 'firm' },
      ],
      finalNotice: { daysAfterDue: 5 },
      sendWindow: { start: '17:00', end: '09:00', weekdaysOnly: true },
    }).map((p) => p.field);
    expect(fields).toEqual([
      'beforeDue.daysBefore',
      'reminders[1].daysAfterDue',
      'finalNotice.daysAfterDue',
      'sendWindow',
    ]);
  });

  it('escalation steps: each later and stronger than the one before, nothing after cancel', () => {
    const problems = (escalation: DunningPolicy['escalation']) =>
      checkDunningPolicy({ ...policy, escalation });
    expect(
      problems([
        { daysAfterDue: 1, action: 'past_due' },
        { daysAfterDue: 14, action: 'pause' },
        { daysAfterDue: 21, action: 'cancel' },
      ]),
    ).toEqual([]);
    expect(problems([{ daysAfterDue: 0, action: 'cancel' }])).toEqual([]);
    expect(
      problems([
        { daysAfterDue: 14, action: 'pause' },
        { daysAfterDue: 14, action: 'cancel' },
      ]),
    ).toEqual([
      {
        field: 'escalation[1].daysAfterDue',
        message: 'escalation steps must be in order, each later than the one before',
      },
    ]);
    expect(
      problems([
        { daysAfterDue: 21, action: 'cancel' },
        { daysAfterDue: 30, action: 'pause' },
      ]),
    ).toEqual([
      {
        field: 'escalation[1].action',
        message: 'nothing can follow cancel: the subscription has ended',
      },
    ]);
    expect(
      problems([
        { daysAfterDue: 14, action: 'pause' },
        { daysAfterDue: 21, action: 'past_due' },
      ]).map((p) => p.field),
    ).toEqual(['escalation[1].action']);
    expect(problems([{ daysAfterDue: -1, action: 'past_due' }]).map((p) => p.field)).toEqual([
      'escalation[0].daysAfterDue',
    ]);
  });
});
