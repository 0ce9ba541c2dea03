// The HTML of the public pages outside /v1 (a hosted invoice, a milestone's approval) around
// what is stored, and the headers that keep their signed URLs private.
import type { Invoice } from '../db/database.ts';
import { escapeHtml } from '../documents/html.ts';
import { formatMoney, money } from '../domain/core/money.ts';
import { payOnlineHtml, type OnlinePayment } from './pay-online.ts';
import { languageOf, translatorFor } from '../i18n/catalogue.ts';

/** The signature is in the URL: keep it out of caches, search engines and Referer headers. */
export const SIGNED_LINK_HEADERS = {
  'cache-control': 'private, no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
};

/** Display locale of a stored tag; a malformed one must not break the page. */
export function localeOf(tag: string | undefined): string {
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
  online?: OnlinePayment | undefined;
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
  const t = translatorFor(locale);
  const email = escapeHtml(facts.contactEmail);
  // Messages carry our <strong>; every value in them is escaped first.
  const pdf = `<a class="bw-pdf" href="${escapeHtml(facts.pdfHref)}">${escapeHtml(t('hosted.downloadPdf'))}</a>`;
  let tone: 'due' | 'paid' | 'void' | 'other';
  let body: string;
  switch (invoice.status) {
    case 'paid':
      tone = 'paid';
      body = t('hosted.paid');
      break;
    case 'void':
      tone = 'void';
      body = t('hosted.void');
      break;
    case 'uncollectible':
      tone = 'other';
      body = t('hosted.uncollectible', { email });
      break;
    case 'open':
    case 'partially_paid': {
      tone = 'due';
      const values = { amount: escapeHtml(due), date: dueDate ? escapeHtml(dueDate) : '' };
      const status = invoice.status === 'open' ? 'open' : 'partiallyPaid';
      const how = facts.paymentInstructions
        ? `<div class="bw-how"><span>${escapeHtml(t('hosted.howToPay'))}</span> ${escapeHtml(facts.paymentInstructions)}</div>`
        : `<div class="bw-how">${t('hosted.toPayContact', { email })}</div>`;
      body = `${t(dueDate ? `hosted.${status}DueBy` : `hosted.${status}`, values)}${how}${payOnlineHtml(facts.online, locale, facts.timezone)}`;
      break;
    }
    default:
      tone = 'other';
      body = t('hosted.other', { status: escapeHtml(invoice.status), email });
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

/** A milestone approval page: the title and the body under it, in the customer's language. */
export function approvalPage(title: string, body: string, locale: string): string {
  return `<!doctype html><html lang="${escapeHtml(languageOf(locale))}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
button{font-size:1rem;padding:.5rem 1rem;margin-top:.5rem}textarea{width:100%;min-height:5rem}
form{margin:1.5rem 0}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
