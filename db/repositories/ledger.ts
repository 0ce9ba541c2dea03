// The journal's one writer, and the chart of accounts. Every repository that moves money calls
// a post… function here inside its own transaction, so an entry commits with the document it
// records or not at all; domain/ledger/ decides the lines, this module resolves each line's
// account from the operator's mappings and writes it. An entry is unique per (kind, source
// document): a replay posts nothing. The database checks each entry balances at commit and
// refuses to change one afterwards.
import type { Transaction } from 'kysely';
import { DateTime } from 'luxon';
import {
  dimensionKey,
  dimensionOf,
  normalRate,
  resolveAccount,
  type AccountMapping,
  type InvoiceOrigin,
} from '../../domain/ledger/accounts.ts';
import {
  creditNoteExcess,
  creditNoteLines,
  invoiceFinalizedLines,
  paymentAdjustedLines,
  paymentLines,
  writeOffLines,
  type JournalKind,
  type PostingLine,
  type ReceivablePosition,
} from '../../domain/ledger/postings.ts';
import { WALLET_PAYMENT_SOURCE } from '../../domain/wallets/invoice-credit.ts';
import type { Db } from '../connect.ts';
import type {
  CreditNote,
  CreditNoteLine,
  Database,
  Invoice,
  JournalEntry,
  LedgerAccount,
  Payment,
} from '../database.ts';
import { newId } from '../ids.ts';
import { getInvoiceLines } from './invoices.ts';

type Executor = Db | Transaction<Database>;

/** An entry to post: what it records and its lines by role. */
export interface EntryDraft {
  kind: JournalKind;
  /** The source document's id (invoice, payment, credit note): the entry's idempotency key. */
  sourceId: string;
  customerId: string;
  currency: string;
  /** The document's instant; its calendar day in the customer's zone is the business date. */
  occurredAt: Date;
  description: string;
  invoiceId: string;
  paymentId?: string | undefined;
  creditNoteId?: string | undefined;
  documentNumber: string | null;
  lines: PostingLine[];
}

/** What posting for a customer reads: their zone (for the business date) and the mappings. */
interface PostingContext {
  timezone: string;
  mappings: Map<string, string>;
}

async function postingContext(
  trx: Transaction<Database>,
  customerId: string,
): Promise<PostingContext> {
  const customer = await trx
    .selectFrom('customers')
    .select('timezone')
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  const rows = await trx.selectFrom('ledger_account_mappings').selectAll().execute();
  return {
    timezone: customer.timezone,
    mappings: new Map(rows.map((r) => [`${r.role}/${r.dimension}`, r.account_code])),
  };
}

/**
 * Posts one entry in the caller's transaction, its accounts resolved from today's mappings.
 * Null when it has no lines (a zero invoice) or the (kind, source) is already posted.
 */
export async function postEntry(
  trx: Transaction<Database>,
  draft: EntryDraft,
  read?: PostingContext,
): Promise<JournalEntry | null> {
  if (draft.lines.length === 0) return null;
  const context = read ?? (await postingContext(trx, draft.customerId));
  const entry = await trx
    .insertInto('journal_entries')
    .values({
      id: newId('je'),
      kind: draft.kind,
      idempotency_key: draft.sourceId,
      customer_id: draft.customerId,
      currency: draft.currency,
      business_date: DateTime.fromJSDate(draft.occurredAt, {
        zone: context.timezone,
      }).toISODate()!,
      occurred_at: draft.occurredAt,
      description: draft.description,
      invoice_id: draft.invoiceId,
      payment_id: draft.paymentId ?? null,
      credit_note_id: draft.creditNoteId ?? null,
      document_number: draft.documentNumber,
    })
    .onConflict((oc) => oc.columns(['kind', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!entry) return null;
  await trx
    .insertInto('journal_lines')
    .values(
      draft.lines.map((l, position) => ({
        entry_id: entry.id,
        position,
        account_code: resolveAccount(context.mappings, l.role, l),
        currency: draft.currency,
        debit: l.debit,
        credit: l.credit,
        customer_id: draft.customerId,
        invoice_id: draft.invoiceId,
        plan_code: l.planCode ?? null,
        origin: l.origin ?? null,
        tax_jurisdiction: l.jurisdiction ?? null,
        tax_rate: l.taxRate ? normalRate(l.taxRate) : null,
        payment_method: l.method ?? null,
        memo: l.memo ?? null,
      })),
    )
    .execute();
  return entry;
}

/** Where an invoice stands for the ledger. */
export function positionOf(invoice: Pick<Invoice, 'status' | 'amount_due'>): ReceivablePosition {
  return { status: invoice.status, due: invoice.amount_due };
}

/** The revenue dimensions of an invoice: its subscription's plan, and where it comes from. */
export async function revenueDimensions(
  trx: Transaction<Database>,
  invoice: Pick<Invoice, 'subscription_id' | 'origin'>,
): Promise<{ planCode: string | null; origin: InvoiceOrigin }> {
  if (invoice.subscription_id === null) {
    return { planCode: null, origin: invoice.origin ?? 'manual' };
  }
  const plan = await trx
    .selectFrom('subscriptions')
    .innerJoin('plans', 'plans.id', 'subscriptions.plan_id')
    .select('plans.code')
    .where('subscriptions.id', '=', invoice.subscription_id)
    .executeTakeFirst();
  return { planCode: plan?.code ?? null, origin: 'subscription' };
}

/**
 * Invoice finalized: Dr AR, Cr revenue per line, Cr tax payable per rate (nothing if zero).
 * Posted before the invoice takes its number, so the number series' lock is not held for it:
 * the entry's document number is the invoice's, read through invoice_id.
 */
export async function postInvoiceFinalized(
  trx: Transaction<Database>,
  invoice: Pick<
    Invoice,
    'id' | 'customer_id' | 'currency' | 'total' | 'tax_behavior' | 'subscription_id' | 'origin'
  > & { issued_at: Date },
) {
  const lines = await getInvoiceLines(trx, invoice.id);
  return postEntry(trx, {
    kind: 'invoice_finalized',
    sourceId: invoice.id,
    customerId: invoice.customer_id,
    currency: invoice.currency,
    occurredAt: invoice.issued_at,
    description: 'Invoice issued',
    invoiceId: invoice.id,
    documentNumber: null,
    lines: invoiceFinalizedLines({
      ...(await revenueDimensions(trx, invoice)),
      total: invoice.total,
      taxBehavior: invoice.tax_behavior,
      lines: lines.map((l) => ({
        description: l.description,
        amount: l.amount,
        discount: l.discount_amount,
        tax: l.tax_amount,
        jurisdiction: l.tax_jurisdiction,
        taxRate: l.tax_rate,
      })),
    }),
  });
}

/** A payment (or customer credit used) on an invoice, from its position before to after. */
export async function postPayment(
  trx: Transaction<Database>,
  payment: Payment,
  before: Invoice,
  after: Invoice,
) {
  const fromCustomerCredit = payment.source === 'credit_balance';
  const fromPrepaidCredit = payment.source === WALLET_PAYMENT_SOURCE;
  const number = after.number ?? after.id;
  return postEntry(trx, {
    kind: fromCustomerCredit
      ? 'customer_credit_applied'
      : fromPrepaidCredit
        ? 'wallet_credit_applied'
        : 'payment_received',
    sourceId: payment.id,
    customerId: payment.customer_id,
    currency: payment.currency,
    occurredAt: payment.paid_at,
    description: fromCustomerCredit
      ? `Customer credit applied to invoice ${number}`
      : fromPrepaidCredit
        ? `Prepaid wallet credit applied to invoice ${number}`
        : `Payment ${payment.reference} (${payment.method}) on invoice ${number}`,
    invoiceId: after.id,
    paymentId: payment.id,
    documentNumber: after.number,
    lines: paymentLines({
      amount: payment.amount,
      method: payment.method,
      fromCustomerCredit,
      fromPrepaidCredit,
      before: positionOf(before),
      after: positionOf(after),
    }),
  });
}

/** A running total of payments set directly (recordPaymentTotals): the change, by cash. */
export async function postPaymentAdjusted(
  trx: Transaction<Database>,
  before: Invoice,
  after: Invoice,
  at: Date,
) {
  const change = after.amount_paid - before.amount_paid;
  return postEntry(trx, {
    kind: 'payment_adjusted',
    sourceId: `${after.id}/${before.amount_paid}-${after.amount_paid}/${at.toISOString()}`,
    customerId: after.customer_id,
    currency: after.currency,
    occurredAt: at,
    description: `Payments on invoice ${after.number} set to ${after.amount_paid}`,
    invoiceId: after.id,
    documentNumber: after.number,
    lines: paymentAdjustedLines({
      amount: change,
      method: 'unrecorded',
      before: positionOf(before),
      after: positionOf(after),
    }),
  });
}

/**
 * A credit note (a void's too), from the invoice before it to after. What it gives back of money
 * already paid is refunded (reason refund: refunds clearing) or becomes the customer's credit (a
 * customer_credit_entries row their next invoice takes), so AR stays equal to the amounts due.
 */
export async function postCreditNote(
  trx: Transaction<Database>,
  note: { creditNote: CreditNote; lines: CreditNoteLine[] },
  before: Invoice,
  after: Invoice,
) {
  const { creditNote } = note;
  const excess = creditNoteExcess(creditNote.total, positionOf(before), positionOf(after));
  if (excess > 0 && creditNote.reason !== 'refund') {
    await trx
      .insertInto('customer_credit_entries')
      .values({
        customer_id: creditNote.customer_id,
        currency: creditNote.currency,
        amount: excess,
        invoice_id: after.id,
        idempotency_key: `credit-note/${creditNote.id}/excess`,
        description: `Credit note ${creditNote.number} on paid invoice ${after.number ?? after.id}`,
      })
      .execute();
  }
  const invoiceLines = await getInvoiceLines(trx, after.id);
  const taxOf = new Map(invoiceLines.map((l) => [String(l.id), l]));
  const voided = creditNote.reason === 'void';
  return postEntry(trx, {
    kind: voided ? 'invoice_voided' : 'credit_note_issued',
    sourceId: creditNote.id,
    customerId: creditNote.customer_id,
    currency: creditNote.currency,
    occurredAt: creditNote.issued_at,
    description: voided
      ? `Invoice ${after.number} voided by credit note ${creditNote.number}`
      : `Credit note ${creditNote.number} (${creditNote.reason}) on invoice ${after.number}`,
    invoiceId: after.id,
    creditNoteId: creditNote.id,
    documentNumber: creditNote.number,
    lines: creditNoteLines({
      ...(await revenueDimensions(trx, after)),
      lines: note.lines.map((l) => ({
        description: l.description,
        amount: l.amount,
        tax: l.tax_amount,
        jurisdiction: taxOf.get(String(l.invoice_line_id))?.tax_jurisdiction ?? null,
        taxRate: taxOf.get(String(l.invoice_line_id))?.tax_rate ?? null,
      })),
      before: positionOf(before),
      after: positionOf(after),
      excessTo: creditNote.reason === 'refund' ? 'refunds_clearing' : 'customer_credit',
    }),
  });
}

/** Written off: Dr bad debt, Cr AR what was due. */
export async function postWriteOff(trx: Transaction<Database>, before: Invoice, after: Invoice) {
  return postEntry(trx, {
    kind: 'invoice_written_off',
    // Written off again only after a payment or credit reinstated it: a new state, a new key.
    sourceId: `${after.id}/paid-${after.amount_paid}/credited-${after.amount_credited}`,
    customerId: after.customer_id,
    currency: after.currency,
    occurredAt: after.marked_uncollectible_at!,
    description: `Invoice ${after.number} written off as uncollectible`,
    invoiceId: after.id,
    documentNumber: after.number,
    lines: writeOffLines(positionOf(before), positionOf(after)),
  });
}

// The chart of accounts and its mappings.

export async function listAccounts(db: Executor): Promise<LedgerAccount[]> {
  return db.selectFrom('ledger_accounts').selectAll().orderBy('code').execute();
}

export async function getAccount(db: Executor, code: string): Promise<LedgerAccount | undefined> {
  return db.selectFrom('ledger_accounts').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Adds an account; null when its code is taken. */
export async function createAccount(
  db: Executor,
  account: Pick<LedgerAccount, 'code' | 'name' | 'type'>,
): Promise<LedgerAccount | null> {
  const row = await db
    .insertInto('ledger_accounts')
    .values(account)
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export async function listMappings(db: Executor): Promise<AccountMapping[]> {
  const rows = await db
    .selectFrom('ledger_account_mappings')
    .selectAll()
    .orderBy('role')
    .orderBy('dimension')
    .execute();
  return rows.map((r) => ({
    role: r.role,
    dimension: dimensionOf(r.dimension),
    accountCode: r.account_code,
  }));
}

/**
 * Replaces every mapping at once (the caller has checked them). Entries already posted keep
 * their accounts; the next ones use these.
 */
export async function replaceMappings(
  db: Db,
  mappings: readonly AccountMapping[],
): Promise<AccountMapping[]> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('ledger_account_mappings').execute();
    await trx
      .insertInto('ledger_account_mappings')
      .values(
        mappings.map((m) => ({
          role: m.role,
          dimension: dimensionKey(m.dimension),
          account_code: m.accountCode,
        })),
      )
      .execute();
    return listMappings(trx);
  });
}
