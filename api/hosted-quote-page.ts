// The quote's hosted page around the stored quote document: the Accept (name, title) and Decline
// (reason) forms while it is open, its PDF link, and the page after an answer, all in the
// customer's language. Every value is escaped; the forms post back with the link's signature.
import { escapeHtml } from '../documents/html.ts';
import { translatorFor } from '../i18n/catalogue.ts';
import { approvalPage } from './hosted-pages.ts';

const PANEL_STYLE = `<style>.bw-quote-answer{max-width:800px;margin:2rem auto;padding:1.5rem;border:1px solid #d0d5dd;border-radius:8px;font-family:system-ui,sans-serif}
.bw-quote-answer form{margin:1rem 0}.bw-quote-answer input,.bw-quote-answer textarea{width:100%;padding:.4rem;margin:.25rem 0 .75rem;font:inherit}
.bw-quote-answer button{font-size:1rem;padding:.5rem 1rem}</style>`;

/** The quote document with the answer panel (forms while open) and its PDF link. */
export function withAnswerPanel(
  html: string,
  facts: {
    id: string;
    open: boolean;
    locale: string;
    link: { expires: string; signature: string };
  },
): string {
  const t = translatorFor(facts.locale);
  const link = new URLSearchParams({
    expires: facts.link.expires,
    signature: facts.link.signature,
  }).toString();
  const hidden = ['expires', 'signature']
    .map(
      (name) =>
        `<input type="hidden" name="${name}" value="${escapeHtml(String(facts.link[name as 'expires']))}">`,
    )
    .join('');
  const path = encodeURIComponent(facts.id);
  const pdf = `<p><a href="${escapeHtml(`${path}/pdf?${link}`)}">${escapeHtml(t('quote.page.pdf'))}</a></p>`;
  const panel = facts.open
    ? `<h2>${escapeHtml(t('quote.page.acceptHeading'))}</h2>
<form method="post" action="${escapeHtml(`${path}/accept?${link}`)}">${hidden}
<label>${escapeHtml(t('quote.page.name'))}<input name="name" required maxlength="200" autocomplete="name"></label>
<label>${escapeHtml(t('quote.page.jobTitle'))}<input name="title" maxlength="200" autocomplete="organization-title"></label>
<p>${escapeHtml(t('quote.page.acceptNote'))}</p><button type="submit">${escapeHtml(t('quote.page.accept'))}</button></form>
<h2>${escapeHtml(t('quote.page.declineHeading'))}</h2>
<form method="post" action="${escapeHtml(`${path}/decline?${link}`)}">${hidden}
<label>${escapeHtml(t('quote.page.reason'))}<textarea name="reason" required maxlength="1000"></textarea></label>
<button type="submit">${escapeHtml(t('quote.page.decline'))}</button></form>`
    : `<p>${escapeHtml(t('quote.page.closed'))}</p>`;
  return html.replace(
    '</body>',
    `${PANEL_STYLE}<aside class="bw-quote-answer">${panel}${pdf}</aside></body>`,
  );
}

/** The page after an answer, in the customer's language. */
export function answeredPage(
  locale: string,
  answer: 'accepted' | 'declined',
  number: string,
): string {
  const t = translatorFor(locale);
  return approvalPage(
    t(`quote.page.${answer}Title`),
    `<p>${escapeHtml(t(`quote.page.${answer}Body`, { number }))}</p>`,
    locale,
  );
}
