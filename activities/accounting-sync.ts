// An accounting sync's side effects: list the objects to push, push a batch of one kind, and
// record the sync completed. Each object is pushed once per content: its link (the accounting
// system's id and a hash of what was pushed) is saved when the system acknowledges it, a push of
// the same content is skipped, and what a dependent document needs (its customer, its invoice) is
// pushed first when missing. A retried batch skips the objects this sync already recorded; an
// object the system created before its link was saved is found by its reference (the adapter).
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import {
  AccountingSyncError,
  type AccountingCreditNote,
  type AccountingCustomer,
  type AccountingInvoice,
  type AccountingLine,
  type AccountingPayment,
  type AccountingSystem,
  type Acknowledged,
  type RevenueKind,
} from '../accounting/port.ts';
import type { Db } from '../db/connect.ts';
import type { AccountingLinkKind, Invoice, InvoiceLine } from '../db/database.ts';
import * as sync from '../db/repositories/accounting-sync.ts';
import { getCreditNote } from '../db/repositories/credit-notes.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { getInvoice, getInvoiceLines } from '../db/repositories/invoices.ts';
import { getPayment } from '../db/repositories/payments.ts';

export interface AccountingSyncDependencies {
  db: Db;
  /** The accounting system; syncs wait (retrying) in a worker without one. */
  accounting?: AccountingSystem | undefined;
}

type Outcome = 'pushed' | 'skipped';

/** A dependency that could not be pushed for good: its dependents fail with the reason. */
class DependencyFailed extends Error {}

export function createAccountingSyncActivities(deps: AccountingSyncDependencies) {
  const { db } = deps;

  function system(): AccountingSystem {
    // Retryable: the operator configures the worker (QUICKBOOKS_*) and the sync resumes.
    if (!deps.accounting) throw new Error('this worker has no accounting system configured');
    return deps.accounting;
  }

  /** Pushes the object unless its content is what the system acknowledged last. */
  async function push<T extends { id: string }>(
    kind: AccountingLinkKind,
    document: T,
    send: (existing: string | undefined) => Promise<Acknowledged>,
    currency?: string,
  ): Promise<{ outcome: Outcome; externalId: string }> {
    const accounting = system();
    const hash = createHash('sha256').update(JSON.stringify(document)).digest('hex');
    const link = await sync.getAccountingLink(db, accounting.provider, kind, document.id);
    if (link?.synced_hash === hash) return { outcome: 'skipped', externalId: link.external_id };
    const ack = await send(link?.external_id);
    await sync.saveAccountingLink(db, {
      provider: accounting.provider,
      kind,
      objectId: document.id,
      externalId: ack.externalId,
      hash,
      currency,
      amount: ack.amount,
    });
    return { outcome: 'pushed', externalId: ack.externalId };
  }

  /** The system's id of an object, pushing it first when it was never pushed. */
  async function ensure(kind: 'customer' | 'invoice', id: string): Promise<string> {
    const link = await sync.getAccountingLink(db, system().provider, kind, id);
    if (link) return link.external_id;
    try {
      return (await pushObject(kind, id)).externalId;
    } catch (error) {
      if (error instanceof AccountingSyncError && !error.retryable) {
        throw new DependencyFailed(`its ${kind} ${id} could not be pushed: ${error.message}`);
      }
      throw error;
    }
  }

  /** What a payment or credit note refers to, each pushed first when it never was. */
  async function invoiceRefs(document: { invoiceId: string; customerId: string }) {
    const invoice = await ensure('invoice', document.invoiceId);
    return { invoice, customer: await ensure('customer', document.customerId) };
  }

  async function pushObject(
    kind: AccountingLinkKind,
    id: string,
  ): Promise<{ outcome: Outcome; externalId: string }> {
    const accounting = system();
    switch (kind) {
      case 'customer': {
        const customer = await loadCustomer(db, id);
        return push(kind, customer, (existing) =>
          accounting.upsertCustomer(customer, { existing }),
        );
      }
      case 'invoice': {
        const invoice = await loadInvoice(db, id);
        const customer = await ensure('customer', invoice.customerId);
        return push(
          kind,
          invoice,
          (existing) => accounting.upsertInvoice(invoice, { customer, existing }),
          invoice.currency,
        );
      }
      case 'payment': {
        const payment = await loadPayment(db, id);
        const refs = await invoiceRefs(payment);
        return push(
          kind,
          payment,
          (existing) => accounting.upsertPayment(payment, { ...refs, existing }),
          payment.currency,
        );
      }
      case 'credit_note': {
        const note = await loadCreditNote(db, id);
        const refs = await invoiceRefs(note);
        return push(
          kind,
          note,
          (existing) => accounting.upsertCreditNote(note, { ...refs, existing }),
          note.currency,
        );
      }
    }
  }

  return {
    /** The next batch of a kind's objects in the sync's period, by id. */
    async listAccountingSyncBatch(input: {
      kind: AccountingLinkKind;
      period?: sync.SyncPeriod;
      after?: string;
      limit: number;
    }): Promise<string[]> {
      return sync.listSyncBatch(db, input.kind, input.period, input.after, input.limit);
    },

    /**
     * Pushes each object of the batch this sync has not reached yet and records what happened;
     * the sync's counts after it. A refused object is recorded failed with the system's reason;
     * an outage throws, and the retry resumes after the objects already recorded.
     */
    async pushAccountingBatch(input: {
      syncId: string;
      kind: AccountingLinkKind;
      objectIds: string[];
    }): Promise<Record<AccountingLinkKind, sync.OutcomeCounts>> {
      const reached = await sync.reachedObjects(db, input.syncId, input.kind, input.objectIds);
      for (const objectId of input.objectIds.filter((id) => !reached.has(id))) {
        let outcome: 'pushed' | 'skipped' | 'failed';
        let detail: string | undefined;
        try {
          outcome = (await pushObject(input.kind, objectId)).outcome;
        } catch (error) {
          const final =
            error instanceof DependencyFailed ||
            (error instanceof AccountingSyncError && !error.retryable);
          if (!final) throw error;
          outcome = 'failed';
          detail = (error as Error).message;
        }
        await sync.recordSyncOutcome(db, {
          syncId: input.syncId,
          kind: input.kind,
          objectId,
          outcome,
          detail,
        });
        Context.current().heartbeat(objectId);
      }
      return sync.syncCounts(db, input.syncId);
    },

    async finishAccountingSync(input: {
      syncId: string;
    }): Promise<Record<AccountingLinkKind, sync.OutcomeCounts>> {
      await sync.completeAccountingSync(db, input.syncId);
      return sync.syncCounts(db, input.syncId);
    },
  };
}

/** What the accounting sync workflow calls through proxyActivities (import type only). */
export type AccountingSyncActivities = ReturnType<typeof createAccountingSyncActivities>;

const day = (at: Date) => at.toISOString().slice(0, 10);

async function loadCustomer(db: Db, id: string): Promise<AccountingCustomer> {
  const row = await getCustomer(db, id);
  if (!row) throw new Error(`customer ${id} does not exist`);
  return { id, name: row.name, email: row.email, currency: row.currency, country: row.country };
}

function revenueKind(invoice: Invoice): RevenueKind {
  return invoice.origin ?? (invoice.subscription_id ? 'subscription' : 'manual');
}

function invoiceLine(line: InvoiceLine, kind: RevenueKind): AccountingLine {
  return {
    description: line.description,
    quantity: line.quantity,
    netAmount: line.total_amount - line.tax_amount,
    revenueKind: kind,
    taxCategory: line.tax_category,
  };
}

async function loadInvoice(db: Db, id: string): Promise<AccountingInvoice> {
  const invoice = await getInvoice(db, id);
  if (!invoice?.number || !invoice.issued_at) throw new Error(`invoice ${id} is not finalized`);
  const kind = revenueKind(invoice);
  return {
    id,
    number: invoice.number,
    customerId: invoice.customer_id,
    currency: invoice.currency,
    issuedOn: day(invoice.issued_at),
    dueOn: invoice.due_at ? day(invoice.due_at) : undefined,
    lines: (await getInvoiceLines(db, id)).map((line) => invoiceLine(line, kind)),
    tax: invoice.tax,
    total: invoice.total,
  };
}

async function loadCreditNote(db: Db, id: string): Promise<AccountingCreditNote> {
  const found = await getCreditNote(db, id);
  if (!found) throw new Error(`credit note ${id} does not exist`);
  const { creditNote, lines } = found;
  const invoice = (await getInvoice(db, creditNote.invoice_id))!;
  const invoiceLines = new Map(
    (await getInvoiceLines(db, invoice.id)).map((line) => [String(line.id), line]),
  );
  const kind = revenueKind(invoice);
  return {
    id,
    number: creditNote.number,
    invoiceId: invoice.id,
    invoiceNumber: invoice.number ?? invoice.id,
    customerId: creditNote.customer_id,
    currency: creditNote.currency,
    issuedOn: day(creditNote.issued_at),
    memo: creditNote.memo ?? undefined,
    lines: lines.map((line) => ({
      description: line.description,
      quantity: '1',
      netAmount: line.amount - line.tax_amount,
      revenueKind: kind,
      taxCategory: invoiceLines.get(String(line.invoice_line_id))?.tax_category ?? 'standard',
    })),
    tax: creditNote.tax,
    total: creditNote.total,
  };
}

async function loadPayment(db: Db, id: string): Promise<AccountingPayment> {
  const payment = await getPayment(db, id);
  if (!payment) throw new Error(`payment ${id} does not exist`);
  return {
    id,
    invoiceId: payment.invoice_id,
    customerId: payment.customer_id,
    currency: payment.currency,
    amount: payment.amount,
    appliedAmount: payment.applied_amount,
    paidOn: day(payment.paid_at),
    method: payment.method,
    reference: payment.reference,
  };
}
