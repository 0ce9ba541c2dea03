// Dunning policies as data, and the schedule one gives an invoice: a friendly heads-up before
// the due date, reminders after it (warm first, clearer later), a final notice, a write-off, and
// the subscription's escalation in steps (past due, paused, canceled). Pure and deterministic: the collection
// workflow computes its schedule with it, the API validates policies with it.
import { DateTime } from 'luxon';
import { nextSendingTime, type SendWindow } from './business-hours.ts';

/** Where an invoice's collection stands: its workflow's state and the invoice_collections row. */
export type CollectionStatus = 'open' | 'overdue' | 'disputed' | 'paid' | 'void' | 'uncollectible';

/** How a reminder speaks (documents/views.ts REMINDER_TONES picks the wording). */
export type DunningTone = 'before_due' | 'gentle' | 'firm' | 'final_notice';

/** What an escalation step does to the subscription, mildest first. */
export const ESCALATION_ACTIONS = ['past_due', 'pause', 'cancel'] as const;
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];

/** One escalation step: this many days after the due date, the subscription is told `action`. */
export interface EscalationStep {
  daysAfterDue: number;
  action: EscalationAction;
}

export interface DunningPolicy {
  /** A friendly heads-up this many days before the due date; null for none. */
  beforeDue: { daysBefore: number } | null;
  /** Reminders after the due date, in order, each with its tone (gentle first, firm later). */
  reminders: { daysAfterDue: number; tone: 'gentle' | 'firm' }[];
  /** The last reminder, saying what happens next (`consequence`); null for none. */
  finalNotice: { daysAfterDue: number; consequence?: string } | null;
  /** The invoice is written off this many days after the due date; null: never by policy. */
  markUncollectibleAfterDays: number | null;
  /**
   * What happens to the subscription while the invoice stays unpaid, in order, each step later
   * and stronger than the one before (e.g. past due at +1, paused at +14, canceled at +21).
   * A payment in between stops the rest and resumes a subscription the policy paused.
   */
  escalation: EscalationStep[];
  /** Reminders go out inside these local hours of the customer (weekdays only if set). */
  sendWindow: SendWindow;
}

/**
 * Out of the box: a heads-up 3 days before, reminders at +1, +7 and +14, a final notice at +21,
 * the subscription past due from +1. Nothing irreversible: writing off and suspending escalate
 * only when the operator's policy says so.
 */
export const DEFAULT_DUNNING_POLICY: DunningPolicy = {
  beforeDue: { daysBefore: 3 },
  reminders: [
    { daysAfterDue: 1, tone: 'gentle' },
    { daysAfterDue: 7, tone: 'firm' },
    { daysAfterDue: 14, tone: 'firm' },
  ],
  finalNotice: { daysAfterDue: 21 },
  markUncollectibleAfterDays: null,
  escalation: [{ daysAfterDue: 1, action: 'past_due' }],
  sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
};

export type CollectionActionKind = 'reminder' | 'uncollectible' | EscalationAction;

/** One thing the collection does at its time, unless the invoice is settled first. */
export interface CollectionAction {
  /** Stable within the invoice: the reminder's email key, e.g. "overdue-7d". */
  key: string;
  kind: CollectionActionKind;
  /** Days after the due date (negative before it), in the customer's calendar. */
  daysAfterDue: number;
  /** Reminders only. */
  tone?: DunningTone;
  /** Overdue reminders only: 1-based position among them, and how many there are. */
  number?: number;
  of?: number;
  consequence?: string;
}

/** What kind of step a schedule key names, as `collection.step_sent` tells it. */
export type CollectionStepKind =
  'reminder' | 'final_notice' | 'past_due' | 'pause' | 'cancel' | 'uncollectible';

export function collectionStepKindOf(key: string): CollectionStepKind {
  if (key === 'final-notice') return 'final_notice';
  if (key === 'past-due') return 'past_due';
  if (key === 'pause' || key === 'cancel' || key === 'uncollectible') return key;
  return 'reminder';
}

/**
 * The policy's actions for an invoice, in the order they happen. The heads-up is dropped when
 * the collection starts too late for it (due on receipt, or terms shorter than its lead).
 */
export function collectionActions(
  policy: DunningPolicy,
  dueAt: string,
  timezone: string,
  startedAt: string,
): CollectionAction[] {
  const actions: CollectionAction[] = [];
  if (policy.beforeDue) {
    const days = -policy.beforeDue.daysBefore;
    if (Date.parse(nominalTime(dueAt, timezone, days)) > Date.parse(startedAt)) {
      actions.push({
        key: `due-in-${policy.beforeDue.daysBefore}d`,
        kind: 'reminder',
        daysAfterDue: days,
        tone: 'before_due',
      });
    }
  }
  policy.reminders.forEach((r, i) =>
    actions.push({
      key: `overdue-${r.daysAfterDue}d`,
      kind: 'reminder',
      daysAfterDue: r.daysAfterDue,
      tone: r.tone,
      number: i + 1,
      of: policy.reminders.length,
    }),
  );
  if (policy.finalNotice) {
    actions.push({
      key: 'final-notice',
      kind: 'reminder',
      daysAfterDue: policy.finalNotice.daysAfterDue,
      tone: 'final_notice',
      ...(policy.finalNotice.consequence && { consequence: policy.finalNotice.consequence }),
    });
  }
  for (const step of policy.escalation) {
    actions.push({
      key: step.action === 'past_due' ? 'past-due' : step.action,
      kind: step.action,
      daysAfterDue: step.daysAfterDue,
    });
  }
  if (policy.markUncollectibleAfterDays !== null) {
    actions.push({
      key: 'uncollectible',
      kind: 'uncollectible',
      daysAfterDue: policy.markUncollectibleAfterDays,
    });
  }
  // Same day: the subscription hears it is past due before the reminder goes out, and a
  // write-off comes after the final notice, a pause or cancel last. Stable sort keeps that order.
  const rank: Record<CollectionActionKind, number> = {
    past_due: 0,
    reminder: 1,
    uncollectible: 2,
    pause: 3,
    cancel: 3,
  };
  return actions.sort((a, b) => a.daysAfterDue - b.daysAfterDue || rank[a.kind] - rank[b.kind]);
}

/** The due instant moved by whole days in the customer's calendar (DST-safe). */
function nominalTime(dueAt: string, timezone: string, days: number): string {
  return DateTime.fromISO(dueAt, { zone: timezone }).plus({ days }).toUTC().toISO()!;
}

/**
 * When the action happens: its day after the due date, moved later by `shiftMs` (the time the
 * collection spent paused by a dispute); a reminder then waits for the customer's business hours.
 */
export function actionTime(
  action: CollectionAction,
  policy: DunningPolicy,
  dueAt: string,
  timezone: string,
  shiftMs = 0,
): string {
  const nominal = new Date(
    Date.parse(nominalTime(dueAt, timezone, action.daysAfterDue)) + shiftMs,
  ).toISOString();
  return action.kind === 'reminder'
    ? nextSendingTime(nominal, timezone, policy.sendWindow)
    : nominal;
}

/** Whole days from the due date to `at` (0 on the due day), for people. */
export function daysOverdue(dueAt: string, at: string): number {
  return Math.max(Math.floor((Date.parse(at) - Date.parse(dueAt)) / 86_400_000), 0);
}

export interface PolicyProblem {
  field: string;
  message: string;
}

const severity = (action: EscalationAction) => ESCALATION_ACTIONS.indexOf(action);

/**
 * What is wrong with a policy (empty when usable): days in order, escalation steps each later
 * and stronger than the one before (nothing after cancel), a window that opens.
 */
export function checkDunningPolicy(policy: DunningPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const days = (field: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min || value > 3650) {
      problems.push({ field, message: `must be a whole number of days from ${min} to 3650` });
    }
  };
  if (policy.beforeDue) days('beforeDue.daysBefore', policy.beforeDue.daysBefore, 1);
  let last = 0;
  policy.reminders.forEach((r, i) => {
    days(`reminders[${i}].daysAfterDue`, r.daysAfterDue, 0);
    if (i > 0 && r.daysAfterDue <= last) {
      problems.push({
        field: `reminders[${i}].daysAfterDue`,
        message: 'reminders must be in order, each later than the one before',
      });
    }
    last = r.daysAfterDue;
  });
  if (policy.finalNotice) {
    days('finalNotice.daysAfterDue', policy.finalNotice.daysAfterDue, 0);
    if (policy.reminders.length > 0 && policy.finalNotice.daysAfterDue <= last) {
      problems.push({
        field: 'finalNotice.daysAfterDue',
        message: 'the final notice must come after the last reminder',
      });
    }
  }
  if (policy.markUncollectibleAfterDays !== null) {
    days('markUncollectibleAfterDays', policy.markUncollectibleAfterDays, 0);
  }
  policy.escalation.forEach((step, i) => {
    const field = `escalation[${i}]`;
    days(`${field}.daysAfterDue`, step.daysAfterDue, 0);
    const before = policy.escalation[i - 1];
    if (!before) return;
    if (step.daysAfterDue <= before.daysAfterDue) {
      problems.push({
        field: `${field}.daysAfterDue`,
        message: 'escalation steps must be in order, each later than the one before',
      });
    }
    if (before.action === 'cancel') {
      problems.push({
        field: `${field}.action`,
        message: 'nothing can follow cancel: the subscription has ended',
      });
    } else if (severity(step.action) <= severity(before.action)) {
      problems.push({
        field: `${field}.action`,
        message: `must be stronger than ${before.action}: past_due, then pause, then cancel`,
      });
    }
  });
  try {
    nextSendingTime('2026-01-01T00:00:00Z', 'UTC', policy.sendWindow);
  } catch (error) {
    problems.push({ field: 'sendWindow', message: (error as Error).message });
  }
  return problems;
}
