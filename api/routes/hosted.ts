// The customer's view of an invoice, outside /v1 and without a login: GET /hosted/invoices/:id
// shows the stored invoice document under a banner with its current status and how to pay, and
// GET /hosted/invoices/:id/pdf its stored PDF. Both need the link's signature (see
// documents/hosted-links.ts): a forged or mangled link is a 403 and an expired one a 410, checked
// before the database is read, so neither says whether an invoice exists.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Invoice } from '../../db/database.ts';
import { getInvoice } from '../../db/repositories/invoices.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { formatMoney, money } from '../../domain/money.ts';
import { notFound } from '../problem.ts';
import { HtmlDocument, problemResponse } from '../schemas/common.ts';
import { sendStoredHtml, PdfDocument, sendStoredPdf } from '../stored-documents.ts';

const HostedParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

// Optional in the schema: a link missing either part is a 403 like any other bad link, not a 400.
const SignedQuery = Type.Object({
  expires: Type.Optional(
    Type.String({ maxLength: 20, description: 'Expiry of the link, Unix seconds.' }),
  ),
  signature: Type.Optional(
    Type.String({ maxLength: 100, description: 'HMAC-SHA256 of the invoice id and expiry.' }),
  ),
});

const refusals = {
  403: problemResponse('The link is not valid (wrong or missing signature).'),
  410: problemResponse('The link has expired.'),
  404: problemResponse('The invoice of this (valid) link has no document to show.'),
  503: problemResponse('Hosted links are not configured (BILLWRIGHT_SIGNING_SECRET).'),
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Display locale of a stored tag; a malformed one must not break the page. */
function localeOf(tag: string | undefined): string {
  try {
    return Intl.getCanonicalLocales((tag ?? 'en').replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}

interface BannerFacts {
  invoice: Invoice;
  locale: string;
  timezone: string;
  paymentInstructions: string | undefined;
  contactEmail: string;
  pdfHref: string;
}

/**
 * The banner above the document: what the customer needs now, which may differ from the day the
 * document was rendered (it has been paid or voided since).
 */
export function hostedBanner(facts: BannerFacts): string {
  const { invoice, locale } = facts;
  const amountDue = invoice.amount_due ?? invoice.total;
  const due = formatMoney(money(amountDue, invoice.currency), locale);
  const dueDate = invoice.due_at
    ? new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: facts.timezone }).format(
        invoice.due_at,
      )
    : undefined;
  const pdf = `<a class="bw-pdf" href="${escapeHtml(facts.pdfHref)}">Download PDF</a>`;
  let tone: 'due' | 'paid' | 'void' | 'other';
  let body: string;
  switch (invoice.status) {
    case 'paid':
      tone = 'paid';
      body = '<strong>Paid.</strong> Thank you: nothing is due on this invoice.';
      break;
    case 'void':
      tone = 'void';
      body = '<strong>Void.</strong> This invoice was cancelled; nothing is due.';
      break;
    case 'open':
    case 'partially_paid': {
      tone = 'due';
      const when = dueDate ? ` by ${escapeHtml(dueDate)}` : '';
      const how = facts.paymentInstructions
        ? `<div class="bw-how"><span>How to pay:</span> ${escapeHtml(facts.paymentInstructions)}</div>`
        : `<div class="bw-how">To pay, contact ${escapeHtml(facts.contactEmail)}.</div>`;
      body = `<strong>${invoice.status === 'open' ? 'Open' : 'Partially paid'}.</strong> Amount due: <strong>${escapeHtml(due)}</strong>${when}.${how}`;
      break;
    }
    default:
      tone = 'other';
      body = `<strong>Status: ${escapeHtml(invoice.status)}.</strong> Questions? Write to ${escapeHtml(facts.contactEmail)}.`;
  }
  const colours = {
    due: ['#eef2ff', '#3730a3'],
    paid: ['#ecfdf3', '#05603a'],
    void: ['#fef3f2', '#912018'],
    other: ['#f5f7fa', '#1f2933'],
  }[tone];
  return `<aside class="bw-hosted bw-${tone}" role="status">
<style>
  .bw-hosted { max-width: 820px; margin: 24px auto 0; padding: 14px 20px; border-radius: 6px;
    background: ${colours[0]}; color: ${colours[1]}; font: 15px/1.5 system-ui, sans-serif;
    display: flex; gap: 16px; justify-content: space-between; align-items: flex-start; }
  .bw-hosted .bw-how { margin-top: 4px; white-space: pre-line; }
  .bw-hosted .bw-how span { font-weight: 600; }
  .bw-hosted .bw-pdf { color: inherit; font-weight: 600; white-space: nowrap; }
  @media print { .bw-hosted { display: none; } }
</style>
<div>${body}</div>
${pdf}
</aside>`;
}

/** Inserts the banner at the top of the stored document's body. */
function withBanner(html: string, banner: string): string {
  const body = /<body[^>]*>/i.exec(html);
  if (!body) return banner + html;
  const at = body.index + body[0].length;
  return `${html.slice(0, at)}\n${banner}${html.slice(at)}`;
}

const hosted: FastifyPluginCallbackTypebox = (app, _options, done) => {
  // The signature is in the URL: keep it out of caches, search engines and Referer headers.
  app.addHook('onRequest', async (_request, reply) => {
    reply
      .header('cache-control', 'private, no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex, nofollow');
  });

  app.get(
    '/hosted/invoices/:id',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'View an invoice (customer link)',
        description:
          'The invoice document as it was sent, with its current status and how to pay, for ' +
          'anyone holding a signed link (POST /v1/invoices/{id}/hosted-link). No API key.',
        params: HostedParams,
        querystring: SignedQuery,
        response: { 200: HtmlDocument, ...refusals },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValid(id, request.query);
      const [invoice, document] = await Promise.all([
        getInvoice(app.db, id),
        getInvoiceDocument(app.db, id, 'html'),
      ]);
      if (!invoice || !document) throw notFound('This invoice has no document to show yet.');
      const customer = await app.db
        .selectFrom('customers')
        .select(['locale', 'timezone'])
        .where('id', '=', invoice.customer_id)
        .executeTakeFirst();
      const query = new URLSearchParams({
        expires: request.query.expires!,
        signature: request.query.signature!,
      });
      const banner = hostedBanner({
        invoice,
        locale: localeOf(customer?.locale),
        timezone: customer?.timezone ?? 'UTC',
        paymentInstructions: app.documents.seller.paymentInstructions,
        contactEmail: app.documents.seller.email,
        pdfHref: `${encodeURIComponent(id)}/pdf?${query.toString()}`,
      });
      return sendStoredHtml(reply, withBanner(document.content, banner));
    },
  );

  app.get(
    '/hosted/invoices/:id/pdf',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'Download an invoice PDF (customer link)',
        description:
          'The invoice’s stored PDF, for anyone holding a signed link; the same query as the page.',
        params: HostedParams,
        querystring: SignedQuery,
        response: { 200: PdfDocument, ...refusals },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValid(id, request.query);
      const stored = await app.invoicePdfs.forInvoice(id);
      if (!stored) throw notFound('This invoice has no document to show yet.');
      const invoice = await getInvoice(app.db, id);
      return sendStoredPdf(request, reply, stored, invoice?.number ?? id);
    },
  );

  done();
};

export default hosted;
