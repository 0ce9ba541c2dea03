// The status mark of an invoice that is void or written off, stamped onto the document as it was
// issued. An issued document is a record: it is never re-rendered, so a later template, price or
// customer change cannot rewrite what the customer received. Instead the stored HTML gets a
// watermark and a status line, and the parts that only hold while money is owed (the amount-due
// row and how to pay, between the <!--bw:…--> markers of templates/partials/totals.hbs and
// footer.hbs, and the headline amount some designs show, in templates/invoice.hbs) are replaced
// by what is true now, whichever design the invoice was issued in. The words are the catalogue's
// (i18n/messages/<lang>/status.json) in the document's language; dates and amounts follow the
// same locale, as in the document.
import { escapeHtml, insertAtBodyStart } from './html.ts';
import { formatMoney, money } from '../domain/core/money.ts';
import { translatorFor } from '../i18n/catalogue.ts';

/** The statuses whose document carries a mark: nothing is due on either. */
export const MARKED_STATUSES = ['void', 'uncollectible'] as const;
export type MarkedStatus = (typeof MARKED_STATUSES)[number];

export function isMarkedStatus(status: string): status is MarkedStatus {
  return (MARKED_STATUSES as readonly string[]).includes(status);
}

export interface StatusMark {
  status: MarkedStatus;
  /** When the invoice was voided or written off. */
  at: Date;
  /** What was written off (uncollectible), in minor units of the currency. */
  amount: number;
  currency: string;
  locale: string;
  timezone: string;
}

/** The stored HTML with the mark: the same document, stamped. */
export function markInvoiceDocument(html: string, mark: StatusMark): string {
  const date = new Intl.DateTimeFormat(mark.locale, {
    dateStyle: 'long',
    timeZone: mark.timezone,
  }).format(mark.at);
  const t = translatorFor(mark.locale);
  const words =
    mark.status === 'void'
      ? {
          stamp: t('status.voided.stamp'),
          line: t('status.voided.line', { date }),
          label: t('status.voided.label'),
          value: t('status.voided.value'),
          howToPay: t('status.voided.howToPay'),
        }
      : {
          stamp: t('status.uncollectible.stamp'),
          line: t('status.uncollectible.line', { date }),
          label: t('status.uncollectible.label'),
          value: formatMoney(money(mark.amount, mark.currency), mark.locale),
          howToPay: t('status.uncollectible.howToPay'),
        };
  // Replaced by functions: an amount such as "US$49.00" must not read as a "$4" pattern.
  const row = `<tr class="due bw-status-${mark.status}"><th scope="row">${escapeHtml(words.label)}</th><td class="num">${escapeHtml(words.value)}</td></tr>`;
  const howToPay = `<div class="label">${escapeHtml(t('status.label'))}</div><p>${escapeHtml(words.howToPay)}</p>`;
  const headline = `<span class="headline-label">${escapeHtml(words.label)}</span> <span class="headline-amount bw-status-${mark.status}">${escapeHtml(words.value)}</span>`;
  const marked = html
    .replace(/<!--bw:amount-due-->[\s\S]*?<!--\/bw:amount-due-->/g, () => row)
    .replace(/<!--bw:headline-due-->[\s\S]*?<!--\/bw:headline-due-->/g, () => headline)
    .replace(/<!--bw:how-to-pay-->[\s\S]*?<!--\/bw:how-to-pay-->/g, () => howToPay);
  return insertAtBodyStart(marked, stampOf(mark.status, words.stamp, words.line));
}

function stampOf(status: MarkedStatus, stamp: string, line: string): string {
  const colour = status === 'void' ? '180, 35, 24' : '181, 71, 8';
  return `<style>
  .bw-watermark { position: fixed; top: 42%; left: 0; right: 0; text-align: center;
    transform: rotate(-28deg); font: 800 ${status === 'void' ? 150 : 64}px/1 system-ui, sans-serif;
    letter-spacing: 0.08em; text-transform: uppercase; color: rgba(${colour}, 0.16);
    pointer-events: none; z-index: 10; }
  .bw-status-line { max-width: 820px; margin: 16px auto 0; padding: 10px 16px;
    border: 2px solid rgb(${colour}); border-radius: 6px; color: rgb(${colour});
    font: 15px/1.5 system-ui, sans-serif; }
  .bw-status-line strong { text-transform: uppercase; letter-spacing: 0.08em; margin-right: 8px; }
</style>
<div class="bw-watermark" aria-hidden="true">${escapeHtml(stamp)}</div>
<p class="bw-status-line bw-status-${status}" role="status"><strong>${escapeHtml(stamp)}</strong>${escapeHtml(line)}</p>`;
}
