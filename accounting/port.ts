// The one accounting port. Activities push Billwright's finance documents through an
// AccountingSystem and read back what it holds, never seeing which product is behind it:
// QuickBooks Online today (quickbooks.ts). Amounts cross the port as integer minor units with
// their currency; each adapter converts to its own wire format.
import { ProviderError } from '../domain/core/provider-error.ts';

export type AccountingKind = 'customer' | 'invoice' | 'credit_note' | 'payment';

/** The documents that carry money, in the order a ledger needs them after their customer. */
export const DOCUMENT_KINDS = ['invoice', 'payment', 'credit_note'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Where an invoice's revenue comes from: picks the accounting item (product/service) of a line. */
export type RevenueKind = 'subscription' | 'manual' | 'project';

export interface AccountingCustomer {
  id: string;
  name: string;
  email: string;
  currency: string;
  country: string;
}

export interface AccountingLine {
  description: string;
  /** Exact decimal string ("1", "12.5"). */
  quantity: string;
  /** Minor units after discount, before tax. */
  netAmount: number;
  revenueKind: RevenueKind;
  /** Billwright's tax category of the line (standard, reduced, exempt, …). */
  taxCategory: string;
}

export interface AccountingInvoice {
  id: string;
  number: string;
  customerId: string;
  currency: string;
  /** YYYY-MM-DD (UTC) */
  issuedOn: string;
  dueOn: string | undefined;
  lines: AccountingLine[];
  /** Minor units. */
  tax: number;
  /** Minor units: the lines' net amounts plus tax. */
  total: number;
}

export interface AccountingCreditNote {
  id: string;
  number: string;
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  currency: string;
  issuedOn: string;
  memo: string | undefined;
  lines: AccountingLine[];
  tax: number;
  total: number;
}

export interface AccountingPayment {
  id: string;
  invoiceId: string;
  customerId: string;
  currency: string;
  /** Minor units received. */
  amount: number;
  /** Minor units applied to the invoice; the rest (an overpayment) is the customer's credit. */
  appliedAmount: number;
  paidOn: string;
  method: string;
  reference: string;
}

/** What the accounting system acknowledged: its own id, and the amount it holds (minor units). */
export interface Acknowledged {
  externalId: string;
  amount: number | undefined;
}

/** A document as the accounting system holds it. */
export interface HeldDocument {
  kind: DocumentKind;
  externalId: string;
  /** Its number (invoice and credit note) or reference (payment), as the system keeps it. */
  reference: string | undefined;
  currency: string;
  /** Minor units. */
  amount: number;
  /** YYYY-MM-DD */
  date: string;
}

/** The system's ids of what a document refers to, each already pushed. */
export interface DocumentRefs {
  customer: string;
  /** The invoice a payment pays or a credit note credits. */
  invoice?: string | undefined;
  /** The document's own id, when a previous push was acknowledged: update rather than create. */
  existing?: string | undefined;
}

export interface AccountingSystem {
  /** Recorded beside each link, e.g. "quickbooks". */
  readonly provider: string;
  /**
   * Creates the object, or updates the one the system already holds: `existing` when Billwright
   * saved its id, else one found by its reference (a crash after the system created it but before
   * the id was saved must not create it twice). Throws AccountingSyncError.
   */
  upsertCustomer(
    customer: AccountingCustomer,
    refs: { existing?: string | undefined },
  ): Promise<Acknowledged>;
  upsertInvoice(invoice: AccountingInvoice, refs: DocumentRefs): Promise<Acknowledged>;
  upsertCreditNote(creditNote: AccountingCreditNote, refs: DocumentRefs): Promise<Acknowledged>;
  upsertPayment(payment: AccountingPayment, refs: DocumentRefs): Promise<Acknowledged>;
  /** The documents of a kind dated in [from, to) (YYYY-MM-DD), as the system holds them. */
  heldDocuments(kind: DocumentKind, period: { from: string; to: string }): Promise<HeldDocument[]>;
  /** One document by the system's id; undefined when it holds none (deleted, or never). */
  heldDocument(kind: DocumentKind, externalId: string): Promise<HeldDocument | undefined>;
}

/**
 * Why a push failed, and whether trying again can help: a rejected document (validation, a
 * duplicate name) fails the same way every time; outages, rate limits, expired tokens and
 * network failures pass.
 */
export class AccountingSyncError extends ProviderError {
  override readonly name = 'AccountingSyncError';
}
