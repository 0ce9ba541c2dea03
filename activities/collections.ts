// The collection workflow's side effects: read the invoice and its payments, apply the
// customer's credit, send a reminder (never for an invoice already settled), write an invoice
// off, and keep the collection row the API shows up to date. Each is idempotent by a business
// key (invoice, reminder step, payment), so retries and restarts duplicate nothing.
import { log } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import {
  collectionReached,
  getCollection,
  openCollectionRow,
  type CollectionReached,
  policyForInvoice,
  updateCollectionRow,
} from '../db/repositories/collections.ts';
import { InvalidInvoiceTransitionError } from '../db/repositories/invoice-errors.ts';
import { markUncollectible } from '../db/repositories/invoice-lifecycle.ts';
import { applyCreditBalance, listPayments } from '../db/repositories/payments.ts';
import type {
  DunningPolicy,
  DunningTone,
  CollectionStatus,
} from '../domain/collections/dunning.ts';
import type { InvoiceStatus } from '../domain/invoicing/lifecycle.ts';
import {
  createEmailActivities,
  type EmailActivities,
  type EmailDependencies,
  type PaymentReceived,
} from './email.ts';

export type CollectionDependencies = EmailDependencies & {
  /** Subscription invoices get collection workflows (the worker: config.collections). */
  collections?: boolean | undefined;
};

/** What the collection workflow knows of its invoice, read fresh from the database. */
export interface CollectionFacts {
  invoiceId: string;
  number: string;
  customerId: string;
  subscriptionId: string | null;
  currency: string;
  total: number;
  amountPaid: number;
  amountDue: number;
  invoiceStatus: InvoiceStatus;
  dueAt: string;
  timezone: string;
  payments: PaymentReceived[];
  /** Set while an operator has the collection paused for a dispute. */
  dispute: { reason: string } | null;
  /** Every credit note issued against the invoice (a void's, a refund, …), in issue order. */
  creditNotes: { id: string; number: string; reason: string }[];
  /** True when an earlier run finished the schedule (a later run only settles and receipts). */
  collectionEnded: boolean;
}

export interface OpenedCollection extends CollectionFacts {
  policyId: string | null;
  policy: DunningPolicy;
  /**
   * Where earlier runs left the collection (nothing on the first): a run started after one
   * ended (a late payment) carries on from the count, the step and the status it reached.
   */
  reached: CollectionReached & { status: CollectionStatus };
}

export type { CollectionReached };

export interface ReminderRequest {
  invoiceId: string;
  /** The step's key ("due-in-3d", "overdue-7d", "final-notice"): one email per step. */
  step: string;
  tone: DunningTone;
  number?: number | undefined;
  of?: number | undefined;
  daysOverdue: number;
  consequence?: string | undefined;
}

const COLLECTABLE: readonly InvoiceStatus[] = ['open', 'partially_paid'];

export function createCollectionActivities(deps: CollectionDependencies) {
  const { db } = deps;
  const email = createEmailActivities(deps);

  async function facts(invoiceId: string): Promise<CollectionFacts> {
    return readFacts(db, invoiceId);
  }

  return {
    /**
     * Whether subscription invoices get a collection workflow (BILLWRIGHT_COLLECTIONS, on unless
     * "off": an operator chasing payments with another system turns it off). Read through an
     * activity so the answer is in the history and replays the same.
     */
    // eslint-disable-next-line @typescript-eslint/require-await
    async collectionsEnabled(): Promise<boolean> {
      return deps.collections === true;
    },

    /**
     * The collection's first step: the customer's credit balance is taken off the invoice (once
     * per invoice), the collection row is created, and the policy is chosen for good.
     */
    async openCollection(input: {
      invoiceId: string;
      workflowId: string;
      at: string;
    }): Promise<OpenedCollection> {
      const invoice = await db
        .selectFrom('invoices')
        .select(['customer_id', 'subscription_id', 'status'])
        .where('id', '=', input.invoiceId)
        .executeTakeFirstOrThrow();
      const credited = await applyCreditBalance(db, input.invoiceId, input.at);
      if (credited?.created) {
        log.info('customer credit applied', {
          invoiceId: input.invoiceId,
          amount: credited.payment.amount,
        });
      }
      const existing = await getCollection(db, input.invoiceId);
      const chosen = existing?.policy_id
        ? await db
            .selectFrom('dunning_policies')
            .select(['id', 'policy'])
            .where('id', '=', existing.policy_id)
            .executeTakeFirst()
        : undefined;
      const { id, policy } = chosen ?? (await policyForInvoice(db, invoice));
      const row = await openCollectionRow(db, {
        invoiceId: input.invoiceId,
        customerId: invoice.customer_id,
        workflowId: input.workflowId,
        policyId: id,
        status: 'open',
      });
      return {
        ...(await facts(input.invoiceId)),
        policyId: id,
        policy,
        reached: { ...collectionReached(row), status: row.status },
      };
    },

    /** The invoice, its payments and any dispute as they are now. */
    async readCollection(input: { invoiceId: string }): Promise<CollectionFacts> {
      return facts(input.invoiceId);
    },

    /**
     * Sends one dunning step's reminder, unless the invoice was settled meanwhile (a payment the
     * workflow has not heard of yet). The email ledger key makes a retry send nothing twice.
     */
    async remindCustomer(
      request: ReminderRequest,
    ): Promise<{ sent: boolean; alreadySent: boolean }> {
      const invoice = await db
        .selectFrom('invoices')
        .select(['status', 'amount_due'])
        .where('id', '=', request.invoiceId)
        .executeTakeFirstOrThrow();
      if (!COLLECTABLE.includes(invoice.status) || invoice.amount_due <= 0) {
        return { sent: false, alreadySent: false };
      }
      const result = await email.emailPaymentReminder({
        invoiceId: request.invoiceId,
        step: request.step,
        tone: request.tone,
        daysOverdue: request.daysOverdue,
        ...(request.number !== undefined && { number: request.number }),
        ...(request.of !== undefined && { of: request.of }),
        ...(request.consequence !== undefined && { consequence: request.consequence }),
      });
      return { sent: true, alreadySent: result.alreadySent };
    },

    /** The policy's write-off. False when the invoice is no longer collectable (paid, void). */
    async writeOffInvoice(input: { invoiceId: string; at: string }): Promise<boolean> {
      try {
        await markUncollectible(db, input.invoiceId, { at: input.at });
        return true;
      } catch (error) {
        if (error instanceof InvalidInvoiceTransitionError) return false;
        throw error;
      }
    },

    /**
     * What the API shows of the collection: status, the next action, how far the schedule got
     * (reminders sent, the last step and reminder; these never go back).
     */
    async recordCollectionProgress(
      input: CollectionReached & {
        invoiceId: string;
        status: CollectionStatus;
        nextAction: { at: string; what: string } | null;
        ended: boolean;
      },
    ): Promise<void> {
      await updateCollectionRow(db, input.invoiceId, input);
    },
  };
}

async function readFacts(db: Db, invoiceId: string): Promise<CollectionFacts> {
  const invoice = await db
    .selectFrom('invoices')
    .innerJoin('customers', 'customers.id', 'invoices.customer_id')
    .select([
      'invoices.id',
      'invoices.number',
      'invoices.customer_id',
      'invoices.subscription_id',
      'invoices.currency',
      'invoices.total',
      'invoices.amount_paid',
      'invoices.amount_due',
      'invoices.status',
      'invoices.due_at',
      'invoices.issued_at',
      'customers.timezone',
    ])
    .where('invoices.id', '=', invoiceId)
    .executeTakeFirstOrThrow();
  const [payments, collection, creditNotes] = await Promise.all([
    listPayments(db, invoiceId),
    getCollection(db, invoiceId),
    db
      .selectFrom('credit_notes')
      .select(['id', 'number', 'reason'])
      .where('invoice_id', '=', invoiceId)
      .orderBy('issued_at')
      .orderBy('id')
      .execute(),
  ]);
  const dueAt = invoice.due_at ?? invoice.issued_at ?? new Date(0);
  return {
    invoiceId,
    number: invoice.number ?? invoiceId,
    customerId: invoice.customer_id,
    subscriptionId: invoice.subscription_id,
    currency: invoice.currency,
    total: invoice.total,
    amountPaid: invoice.amount_paid,
    amountDue: invoice.amount_due,
    invoiceStatus: invoice.status,
    dueAt: dueAt.toISOString(),
    timezone: invoice.timezone,
    payments: payments.map((p) => ({
      id: p.id,
      amount: p.amount,
      paidAt: p.paid_at.toISOString(),
      method: p.method,
    })),
    dispute:
      collection?.disputed_at && !collection.resolved_at
        ? { reason: collection.dispute_reason ?? '' }
        : null,
    creditNotes,
    collectionEnded: collection?.ended ?? false,
  };
}

type CreatedCollectionActivities = ReturnType<typeof createCollectionActivities>;

/**
 * What the collection workflow calls through proxyActivities (import type only): its own steps,
 * and the receipts and credit notes it emails.
 */
export type CollectionActivities = Omit<CreatedCollectionActivities, 'collectionsEnabled'> &
  Pick<EmailActivities, 'emailReceipt' | 'emailCreditNote'>;

/** What a workflow that issues an invoice asks before it starts the invoice's collection. */
export type CollectionStartActivities = Pick<CreatedCollectionActivities, 'collectionsEnabled'>;
