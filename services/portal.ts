// What a customer sees and may change in their portal, always scoped to the session's customer:
// the amount due and each subscription's upcoming invoice (the same preview as
// GET /v1/subscriptions/:id/upcoming-invoice), their invoices, credit notes and receipts, and
// their billing details, corrected through the same use case as PATCH /v1/customers/:id.
import type { CreditNote, Customer, Invoice, Payment } from '../db/database.ts';
import {
  customerCreditNotes,
  customerInvoices,
  customerPayments,
  ownsDocument,
  planNames,
} from '../db/repositories/portal.ts';
import { signHostedDocumentLink } from '../documents/hosted-links.ts';
import { money, sum, type Money } from '../domain/core/money.ts';
import { correctCustomer, getCustomer, type CustomerDependencies } from './customers.ts';
import type { ServiceDependencies } from './dependencies.ts';
import type { InvoicePreview } from './invoice-previews.ts';
import { Refused } from './refused.ts';
import type { Subscription } from './subscription-views.ts';
import { previewUpcomingInvoice } from './subscription-previews.ts';
import {
  getLiveSubscription,
  listSubscriptions,
  type SubscriptionDependencies,
} from './subscriptions.ts';

/** How many of each kind of document the portal lists (newest first). */
export const PORTAL_LIST_LIMIT = 100;

/** Invoices the customer still has to pay. */
const UNPAID = new Set(['open', 'partially_paid']);

export interface PortalSubscription {
  subscription: Subscription;
  planName: string;
  /** What the next invoice will be; null when there is none (ended) or it cannot be told now. */
  upcoming: InvoicePreview | null;
}

export interface PortalOverview {
  customer: Customer;
  amountDue: Money;
  unpaidInvoices: Invoice[];
  subscriptions: PortalSubscription[];
}

export interface PortalDocuments {
  customer: Customer;
  invoices: Invoice[];
  creditNotes: CreditNote[];
  payments: (Payment & { invoice_number: string | null })[];
}

/** The billing details a customer owns (the rest of the record is the operator's). */
export interface BillingDetails {
  name: string;
  email: string;
  country: string;
  locale: string;
  address: {
    line1: string | null;
    line2: string | null;
    city: string | null;
    region: string | null;
    postalCode: string | null;
  };
  vatNumber: string | null;
}

export function portalCustomer(deps: ServiceDependencies, customerId: string): Promise<Customer> {
  return getCustomer(deps, customerId);
}

async function upcomingOf(
  deps: SubscriptionDependencies,
  subscription: Subscription,
): Promise<InvoicePreview | null> {
  if (subscription.status === 'canceled' || subscription.status === 'ended') return null;
  try {
    return await previewUpcomingInvoice(deps, subscription.id);
  } catch (error) {
    // No billed period yet, or the workflow cannot answer now: the page says so, and the rest
    // of it (what is due, the invoices) still shows.
    if (error instanceof Refused) return null;
    throw error;
  }
}

/** The overview: what is due now, and what each subscription will invoice next. */
export async function portalOverview(
  deps: SubscriptionDependencies,
  customerId: string,
): Promise<PortalOverview> {
  const customer = await getCustomer(deps, customerId);
  const invoices = await customerInvoices(deps.db, customerId, PORTAL_LIST_LIMIT);
  const unpaidInvoices = invoices.filter((invoice) => UNPAID.has(invoice.status));
  const amountDue = sum(
    unpaidInvoices.map((invoice) => money(invoice.amount_due, invoice.currency)),
    customer.currency,
  );
  const { data } = await listSubscriptions(deps, { customerId, limit: PORTAL_LIST_LIMIT });
  const names = await planNames(deps.db, [...new Set(data.map((s) => s.planCode))]);
  const subscriptions = await Promise.all(
    data.map(async (stored) => {
      const subscription =
        stored.status === 'canceled' || stored.status === 'ended'
          ? stored
          : await getLiveSubscription(deps, stored.id).catch((error: unknown) => {
              if (error instanceof Refused) return stored;
              throw error;
            });
      return {
        subscription,
        planName: names.get(subscription.planCode) ?? subscription.planCode,
        upcoming: await upcomingOf(deps, subscription),
      };
    }),
  );
  return { customer, amountDue, unpaidInvoices, subscriptions };
}

/** The customer's invoices, credit notes and receipts (one per payment), newest first. */
export async function portalDocuments(
  deps: ServiceDependencies,
  customerId: string,
): Promise<PortalDocuments> {
  const customer = await getCustomer(deps, customerId);
  const [invoices, creditNotes, payments] = await Promise.all([
    customerInvoices(deps.db, customerId, PORTAL_LIST_LIMIT),
    customerCreditNotes(deps.db, customerId, PORTAL_LIST_LIMIT),
    customerPayments(deps.db, customerId, PORTAL_LIST_LIMIT),
  ]);
  return { customer, invoices, creditNotes, payments };
}

/** A document the portal links to, by the kind of its hosted page. */
export type PortalDocumentKind = 'invoices' | 'credit-notes' | 'receipts';

/** How long the signed link the portal hands out to a document's page works. */
export const PORTAL_DOCUMENT_LINK_MINUTES = 60;

const OWNED_KIND = {
  invoices: 'invoice',
  'credit-notes': 'credit_note',
  receipts: 'receipt',
} as const;

/**
 * The signed hosted page of one of the customer's documents (its PDF with `pdf`), as a path and
 * query on the API: the same pages their emails link to, where an open invoice is paid. Another
 * customer's document is refused as not found, like an id that does not exist.
 */
export async function portalDocumentLink(
  deps: ServiceDependencies & { signingSecret: string | undefined },
  customerId: string,
  document: { kind: PortalDocumentKind; id: string; pdf: boolean },
  now: Date = new Date(),
): Promise<string> {
  const { kind, id } = document;
  if (!(await ownsDocument(deps.db, customerId, OWNED_KIND[kind], id)))
    throw new Refused('not_found', `No such document: ${id}.`);
  if (!deps.signingSecret)
    throw new Refused(
      'unavailable',
      'Hosted pages are not configured: set BILLWRIGHT_SIGNING_SECRET.',
    );
  const expiresAt = new Date(now.getTime() + PORTAL_DOCUMENT_LINK_MINUTES * 60_000);
  // Any base will do: the portal redirects on its own origin, by path.
  const url = new URL(
    signHostedDocumentLink('http://portal.invalid', kind, id, expiresAt, deps.signingSecret),
  );
  if (document.pdf) url.pathname = `${url.pathname}/pdf`;
  return `${url.pathname}${url.search}`;
}

/**
 * The customer corrects their billing details: the API's own correction (checked as the API
 * checks it, all of it or nothing), limited to the fields a customer owns.
 */
export function updateBillingDetails(
  deps: CustomerDependencies,
  customerId: string,
  details: BillingDetails,
) {
  return correctCustomer(deps, customerId, details);
}
