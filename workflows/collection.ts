// One durable collection per open invoice: a friendly heads-up before the due date, reminders
// after it in the customer's business hours (warm first, clearer later), a final notice, then
// the policy's end actions (the subscription past due, the invoice written off, the subscription
// suspended). It stops the moment the invoice is paid, voided or written off by an operator,
// sends one receipt per payment and one email per credit note (whatever issued it), and pauses while a dispute is looked into (the rest of the
// schedule moves later by the time it spent paused). The database is the truth: the API writes
// payments and operator actions first and signals `collectionChanged`; the workflow reads again.
import {
  condition,
  allHandlersFinished,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectionActivities, CollectionFacts } from '../activities/collections.ts';
import { describeSendingTime } from '../domain/collections/business-hours.ts';
import {
  actionTime,
  collectionActions,
  daysOverdue,
  type CollectionAction,
  type CollectionStatus as Status,
} from '../domain/collections/dunning.ts';
import { localDate } from '../domain/core/periods.ts';
import { money, toMajorUnitString } from '../domain/core/money.ts';
import { CollectionStatus } from '../workflow-contracts/search-attributes.ts';
import { localStep, quickStep } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import {
  collectionChangedSignal,
  collectionStateQuery,
  type CollectionInput,
  type CollectionState,
} from './collection-messages.ts';
import { collectionNoticeSignal, type CollectionNotice } from './subscription-messages.ts';
import { subscriptionWorkflowId } from '../workflow-contracts/ids.ts';

const acts = proxyActivities<CollectionActivities>(quickStep);
/**
 * Opening the collection and recording its row are a few milliseconds of SQL: local activities,
 * so a collection starts in one workflow task (a storm of renewals starts one per invoice).
 */
const rows =
  proxyLocalActivities<Pick<CollectionActivities, 'openCollection' | 'recordCollectionProgress'>>(
    localStep,
  );
const run = <A extends unknown[], R>(
  fn: { executeWithOptions(options: { summary: string }, args: A): Promise<R> },
  summary: string,
  ...args: A
) => fn.executeWithOptions({ summary }, args);

export interface CollectionResult {
  invoiceId: string;
  status: Status;
  remindersSent: number;
}

export async function collectionWorkflow(input: CollectionInput): Promise<CollectionResult> {
  const { invoiceId } = input;
  const clock = workflowClock(input.testClock);
  // On a test clock, an advance buffered with the start runs as soon as workflowClock registers
  // its handler: the collection started at the clock's instant in the input, not at that target.
  const startedAt = input.testClock ? new Date(input.testClock.now).toISOString() : clock.nowIso();
  let changed = false;
  setHandler(collectionChangedSignal, () => {
    changed = true;
  });

  // Declared before the first await, so the query answers from the start.
  let facts: CollectionFacts | undefined;
  let actions: CollectionAction[] = [];
  let status: Status = 'open';
  let next = 0;
  let shiftMs = 0;
  let disputedSince: number | null = null;
  let remindersSent = 0;
  /** The last step performed and the instant of the last reminder: where a later run picks up. */
  let lastStep: { key: string; at: string } | null = null;
  let lastReminderAt: string | null = null;
  /** Steps performed so far: each recorded one by one, so each is one collection.step_sent. */
  let stepsPerformed = 0;
  let ended = false;
  let atOf: (action: CollectionAction) => number = () => 0;
  setHandler(collectionStateQuery, (): CollectionState => ({
    invoiceId,
    status,
    amountDue: facts?.amountDue ?? 0,
    currency: facts?.currency ?? '',
    remindersSent,
    nextAction:
      facts && !ended && next < actions.length && disputedSince === null
        ? { key: actions[next]!.key, at: new Date(atOf(actions[next]!)).toISOString() }
        : null,
    pausedForMs: shiftMs,
    ended,
  }));

  const opened = await run(rows.openCollection, `Open the collection of invoice ${invoiceId}`, {
    invoiceId,
    workflowId: workflowInfo().workflowId,
    at: startedAt,
  });
  let known: CollectionFacts = opened;
  facts = opened;
  const { policy, dueAt, timezone } = opened;
  // A run after the schedule ended (a late payment on a written-off invoice) only settles.
  actions = opened.collectionEnded ? [] : collectionActions(policy, dueAt, timezone, startedAt);
  const subscriptionId = input.subscriptionId ?? opened.subscriptionId ?? undefined;

  // A later run finds the policy's write-off done: only a full payment settles it now.
  let wroteOff = opened.collectionEnded && opened.invoiceStatus === 'uncollectible';
  // A later run (a payment after the schedule ended starts one) carries on from where the earlier
  // ones got: the reminders sent, the step reached, the status; it never starts them again.
  ({ remindersSent, lastStep, lastReminderAt, stepsPerformed } = opened.reached);
  ended = opened.collectionEnded;
  if (lastStep) next = actions.findIndex((a) => a.key === lastStep!.key) + 1;
  const carried = opened.reached.status;
  if (carried === 'overdue' || (carried === 'uncollectible' && wroteOff)) status = carried;
  let toldSubscription = false;
  const receipted = new Set<string>();
  const credited = new Set<string>();
  let recorded = '';

  const amount = (minor: number) =>
    `${known.currency} ${toMajorUnitString(money(minor, known.currency))}`;
  atOf = (action) => Date.parse(actionTime(action, policy, dueAt, timezone, shiftMs));

  async function setStatus(to: Status): Promise<void> {
    if (to === status && recorded !== '') return;
    status = to;
    upsertSearchAttributes([{ key: CollectionStatus, value: to }]);
    await progress(true);
  }

  /** The collection row the API shows; written when something it shows changes. */
  async function progress(force = false): Promise<void> {
    const action = !ended && disputedSince === null ? actions[next] : undefined;
    const nextAction = action
      ? { at: new Date(atOf(action)).toISOString(), what: action.key }
      : null;
    const reached = { remindersSent, lastStep, lastReminderAt, stepsPerformed };
    const key = JSON.stringify([status, reached, nextAction, ended]);
    if (!force && key === recorded) return;
    recorded = key;
    await run(
      rows.recordCollectionProgress,
      `Record collection ${status}${nextAction ? `, next ${nextAction.what}` : ''}`,
      { invoiceId, status, ...reached, nextAction, ended },
    );
  }

  async function tellSubscription(notice: CollectionNotice): Promise<void> {
    if (!subscriptionId) return;
    toldSubscription = true;
    try {
      await getExternalWorkflowHandle(subscriptionWorkflowId(subscriptionId)).signal(
        collectionNoticeSignal,
        notice,
      );
    } catch (error) {
      // A subscription that has ended has nothing left to change.
      log.warn('subscription not told', { subscriptionId, notice, error: String(error) });
    }
  }

  async function read(): Promise<void> {
    changed = false;
    known = facts = await run(
      acts.readCollection,
      `Read invoice ${known.number} and its payments`,
      {
        invoiceId,
      },
    );
  }

  /** One receipt per payment (the email ledger keys it by payment id, too). */
  async function sendReceipts(): Promise<void> {
    for (const payment of known.payments) {
      if (receipted.has(payment.id)) continue;
      await run(
        acts.emailReceipt,
        `Receipt to ${known.customerId} for ${amount(payment.amount)} (${payment.method ?? 'payment'})`,
        { invoiceId, payment },
      );
      receipted.add(payment.id);
    }
  }

  /**
   * One email per credit note, whatever issued it (a void, a refund, a correction): the API
   * tells the collection after issuing one (the ledger keys it by credit note, too).
   */
  async function sendCreditNotes(): Promise<void> {
    for (const note of known.creditNotes) {
      if (credited.has(note.id)) continue;
      await run(
        acts.emailCreditNote,
        `Email credit note ${note.number} (${note.reason}) for invoice ${known.number}`,
        { creditNoteId: note.id },
      );
      credited.add(note.id);
    }
  }

  /** Paid, void, or written off by an operator: collection is over. */
  function closedAs(): Status | null {
    if (known.invoiceStatus === 'paid') return 'paid';
    if (known.invoiceStatus === 'void') return 'void';
    if (known.invoiceStatus === 'uncollectible' && !wroteOff) return 'uncollectible';
    return null;
  }

  async function close(how: Status): Promise<void> {
    // Only a subscription this collection made past due (or suspended, in an earlier run that
    // finished the schedule) has anything to undo.
    if (toldSubscription || opened.collectionEnded) {
      await tellSubscription({ invoiceId, event: 'settled' });
    }
    ended = true;
    setCurrentDetails(`Collection ended: invoice ${known.number} is ${how}.`);
    await setStatus(how);
  }

  function timerSummary(action: CollectionAction, at: number): string {
    const when = describeSendingTime(new Date(at).toISOString(), clock.nowIso(), timezone);
    switch (action.kind) {
      case 'reminder':
        return `Wait for ${reminderName(action)} on ${when}`;
      case 'past_due':
        return `Wait until the subscription is past due on ${when}`;
      case 'uncollectible':
        return `Wait to write invoice ${known.number} off on ${when}`;
      case 'pause':
        return `Wait to pause the subscription on ${when}`;
      case 'cancel':
        return `Wait to cancel the subscription on ${when}`;
    }
  }

  function reminderName(action: CollectionAction): string {
    if (action.tone === 'before_due') return 'the friendly reminder before the due date';
    if (action.tone === 'final_notice') return 'the final notice';
    return `reminder ${action.number} of ${action.of}`;
  }

  /**
   * Performs the action due at `at`. Dates come from `at`, not from now: on a test clock a long
   * advance runs several actions at one instant, and each must still carry its own date.
   */
  async function perform(action: CollectionAction, at: string): Promise<void> {
    const overdueDays = daysOverdue(dueAt, at);
    if (action.daysAfterDue >= 0 && status === 'open') await setStatus('overdue');
    switch (action.kind) {
      case 'reminder': {
        const due = amount(known.amountDue);
        const summary =
          action.tone === 'before_due'
            ? `Friendly reminder to ${known.customerId}, ${due} due on ${localDate(dueAt, timezone)}`
            : action.tone === 'final_notice'
              ? `Final notice to ${known.customerId}, ${due} overdue ${overdueDays} days`
              : `Reminder ${action.number} of ${action.of} to ${known.customerId}, ${due} overdue ${overdueDays} days`;
        const result = await run(acts.remindCustomer, summary, {
          invoiceId,
          step: action.key,
          tone: action.tone!,
          number: action.number,
          of: action.of,
          daysOverdue: overdueDays,
          consequence: action.consequence,
        });
        if (result.sent) {
          remindersSent++;
          lastReminderAt = at;
        } else changed = true; // settled behind our back: read again
        break;
      }
      case 'past_due':
      case 'pause':
      case 'cancel':
        await tellSubscription({ invoiceId, event: action.kind });
        break;
      case 'uncollectible':
        wroteOff = await run(
          acts.writeOffInvoice,
          `Write invoice ${known.number} off, ${amount(known.amountDue)} unpaid after ${overdueDays} days`,
          { invoiceId, at },
        );
        if (wroteOff) await setStatus('uncollectible');
        else changed = true;
        break;
    }
  }

  upsertSearchAttributes([{ key: CollectionStatus, value: status }]);
  await progress(true);
  for (;;) {
    if (changed) await read();
    await sendReceipts();
    await sendCreditNotes();
    const closed = closedAs();
    if (closed) {
      await close(closed);
      break;
    }
    if (known.dispute) {
      if (disputedSince === null) {
        disputedSince = clock.now();
        await setStatus('disputed');
      }
      setCurrentDetails(`Disputed: ${known.dispute.reason}. Reminders paused until resolved.`);
      await clock.waitFor(() => changed);
      continue;
    }
    if (disputedSince !== null) {
      // The schedule picks up where it paused: everything left moves later by the pause.
      shiftMs += clock.now() - disputedSince;
      disputedSince = null;
      await setStatus(clock.now() >= Date.parse(dueAt) && next > 0 ? 'overdue' : 'open');
    }
    const action = actions[next];
    if (!action) break;
    const at = atOf(action);
    // The due date passing unpaid makes the invoice overdue (invoice.overdue), whatever the
    // schedule's next step: read first, so an invoice paid a moment ago is not called overdue.
    if (status === 'open' && Date.parse(dueAt) <= clock.now()) {
      await read();
      if (closedAs() || known.dispute) continue;
      await setStatus('overdue');
    }
    const wake = status === 'open' ? Math.min(at, Date.parse(dueAt)) : at;
    if (wake > clock.now()) {
      await progress();
      setCurrentDetails(
        `${(status as Status) === 'overdue' ? 'Overdue' : 'Open'}: ${amount(known.amountDue)} owed; next ${action.key}.`,
      );
      const summary =
        wake < at
          ? `Wait for the due date of invoice ${known.number} on ${describeSendingTime(dueAt, clock.nowIso(), timezone)}`
          : timerSummary(action, at);
      await clock.sleepUntil(wake, () => changed, summary);
      continue;
    }
    // Read again right before acting, so nothing goes out for an invoice paid a moment ago.
    await read();
    const unsent =
      known.payments.some((p) => !receipted.has(p.id)) ||
      known.creditNotes.some((n) => !credited.has(n.id));
    if (closedAs() || known.dispute || unsent) continue;
    await perform(action, new Date(at).toISOString());
    lastStep = { key: action.key, at: new Date(at).toISOString() };
    stepsPerformed++;
    next++;
    // Recorded step by step: each one performed is its own collection.step_sent event.
    await progress();
  }

  ended = true;
  await progress(true);
  // Told again while closing (a credit note issued a moment ago, the rest paid just after a
  // partial payment): send what is owed first, and settle an invoice that is settled now.
  while (changed) {
    await read();
    await sendReceipts();
    await sendCreditNotes();
    const closed = closedAs();
    if (closed && closed !== status) await close(closed);
  }
  clock.end('finished');
  await condition(allHandlersFinished);
  return { invoiceId, status, remindersSent };
}
