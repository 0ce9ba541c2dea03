// "Pay online" on the hosted invoice page: the button (a form that POSTs to the signed
// …/pay route, which opens the provider's checkout and redirects there), and the notice that the
// customer's last online attempt failed. Shown only when a PaymentCheckout is configured
// (STRIPE_SECRET_KEY) and the invoice has money due. The strings are the `payment` namespace's.
import type { FastifyInstance } from 'fastify';
import type { Invoice } from '../db/database.ts';
import { escapeHtml } from '../documents/html.ts';
import { formatMoney, money } from '../domain/core/money.ts';
import { translate } from '../i18n/catalogue.ts';
import type { PaymentCheckout } from '../payments/provider.ts';
import { lastFailedAttempt } from '../services/online-payments.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Online payment's provider (STRIPE_SECRET_KEY); undefined: no "Pay online". */
    paymentCheckout: PaymentCheckout | undefined;
  }
}

/** What the banner shows about paying online. */
export interface OnlinePayment {
  /** The signed POST target, relative to the page. */
  payHref: string;
  amountDue: number;
  currency: string;
  /** The last failed attempt, when there was one. */
  failed: { amount: number; currency: string; at: Date } | undefined;
}

/** The invoice's online payment, when a provider is set up and money is due; else undefined. */
export async function onlinePaymentOf(
  app: FastifyInstance,
  invoice: Invoice,
  signedQuery: string,
): Promise<OnlinePayment | undefined> {
  const due = invoice.status === 'open' || invoice.status === 'partially_paid';
  if (!app.paymentCheckout || !due || invoice.amount_due <= 0) return undefined;
  const failure = await lastFailedAttempt(app.db, invoice.id);
  return {
    payHref: `${encodeURIComponent(invoice.id)}/pay?${signedQuery}`,
    amountDue: invoice.amount_due,
    currency: invoice.currency,
    failed: failure && {
      amount: failure.amount,
      currency: failure.currency,
      at: failure.failed_at,
    },
  };
}

/** The button (and the failure notice), for the banner of an invoice with money due. */
export function payOnlineHtml(
  online: OnlinePayment | undefined,
  locale: string,
  timezone: string,
): string {
  if (!online) return '';
  const amount = formatMoney(money(online.amountDue, online.currency), locale);
  let failed = '';
  if (online.failed) {
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: timezone }).format(
      online.failed.at,
    );
    const tried = formatMoney(money(online.failed.amount, online.failed.currency), locale);
    failed = `<p class="bw-failed" role="alert">${escapeHtml(
      translate(locale, 'payment.failed.notice', { amount: tried, date }),
    )}</p>`;
  }
  return `<style>
  .bw-hosted .bw-pay { margin-top: 10px; }
  .bw-hosted .bw-pay button { font: inherit; font-weight: 600; padding: 8px 18px; border: 0;
    border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  .bw-hosted .bw-pay small { display: block; margin-top: 4px; opacity: .8; }
  .bw-hosted .bw-failed { margin: 8px 0 0; padding: 8px 12px; border-radius: 6px;
    background: #fef3f2; color: #912018; }
</style>${failed}<form class="bw-pay" method="post" action="${escapeHtml(online.payHref)}"><button type="submit">${escapeHtml(
    translate(locale, 'payment.payOnline.button', { amount }),
  )}</button><small>${escapeHtml(translate(locale, 'payment.payOnline.note'))}</small></form>`;
}

/** Where the hosted page's form may go: the API itself, then the provider's checkout. */
export function payOnlineFormAction(app: FastifyInstance): readonly string[] | undefined {
  return app.paymentCheckout && ["'self'", ...app.paymentCheckout.origins];
}
