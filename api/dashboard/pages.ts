// The HTML of the finance dashboard (GET /dashboard) and its sign-in page. The figures are the
// insights API's own answers (the same mapping as /v1/insights/*): the page writes the tables and
// key figures as text, and hands the answers to its script (assets/dashboard.js) in a JSON data
// element, which draws the charts. No inline script: the API's Content-Security-Policy allows
// scripts from the API's own origin only.
import { escapeHtml } from '../../documents/html.ts';
import { formatMoney, money, sum } from '../../domain/core/money.ts';
import { minorUnitExponent } from '../../domain/core/currency.ts';
import {
  DASHBOARD_SESSION_MINUTES,
  type SignInRefusal,
} from '../../services/dashboard-sessions.ts';
import type { DashboardAnswers } from './answers.ts';

export const DASHBOARD_PATH = '/dashboard';
export const SIGN_IN_PATH = `${DASHBOARD_PATH}/sign-in`;
export const SIGN_OUT_PATH = `${DASHBOARD_PATH}/sign-out`;
export const ASSETS_PATH = `${DASHBOARD_PATH}/assets`;

/** Where the Temporal UI lists a namespace's workflows matching a visibility query. */
export function temporalUiWorkflowsUrl(baseUrl: string, namespace: string, query: string): string {
  return `${baseUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

export interface TemporalUiLinks {
  baseUrl: string;
  namespace: string;
}

function shell(title: string, body: string, scripts: string[]): string {
  const tags = scripts.map((s) => `<script src="${ASSETS_PATH}/${s}" defer></script>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${ASSETS_PATH}/dashboard.css">
${tags}
</head><body>
${body}
</body></html>`;
}

export const SESSION_ENDED = 'Your session ended: sign in again.';

/** The status and message of the sign-in page after a refused key. */
export function signInRefusal(reason: SignInRefusal): [status: number, message: string] {
  return reason === 'unknown_key'
    ? [401, 'That API key is unknown or revoked. Check that it was copied in full.']
    : [403, 'That API key lacks the read scope the dashboard needs. Ask for a read key.'];
}

export function tooManySignIns(retryAfterSeconds: number): string {
  return `Too many failed sign-ins: try again in ${retryAfterSeconds} s.`;
}

/** The sign-in page: one field for the API key; `error` says why the last attempt failed. */
export function signInPage(error?: string): string {
  const alert = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return shell(
    'Sign in · Billwright finance dashboard',
    `<main class="sign-in">
<h1>Finance dashboard</h1>
<p>Sign in with a Billwright API key that has the <strong>read</strong> scope. The key is not
stored in your browser: it is exchanged for a session that ends after ${DASHBOARD_SESSION_MINUTES} minutes.</p>
${alert}
<form method="post" action="${SIGN_IN_PATH}">
<label for="key">API key</label>
<input id="key" name="key" type="password" autocomplete="off" required maxlength="200" autofocus>
<button type="submit">Sign in</button>
</form>
</main>`,
    [],
  );
}

/** What the page shows around the figures: who is signed in, the filters and where to link. */
export interface DashboardPageContext {
  keyName: string;
  locale: string;
  temporalUi: TemporalUiLinks | undefined;
}

const BUCKET_LABELS: Record<string, string> = {
  current: 'Not yet due',
  '1-30': '1–30 days',
  '31-60': '31–60 days',
  '61-90': '61–90 days',
  '90+': 'Over 90 days',
};

const day = (iso: string) => iso.slice(0, 10);

export function dashboardPage(answers: DashboardAnswers, context: DashboardPageContext): string {
  const { currency } = answers;
  const show = (amount: number, code = currency) =>
    `<span class="money" data-amount="${amount}" data-currency="${escapeHtml(code)}">${escapeHtml(
      formatMoney(money(amount, code), context.locale),
    )}</span>`;
  const customerLink = (customerId: string, text: string) =>
    workflowLink(context.temporalUi, `CustomerId="${customerId}"`, text, 'customer-workflows');
  const last = answers.mrr.months.at(-1);
  const aging = answers.arAging.currencies.find((c) => c.currency === currency);
  const overdue = aging
    ? sum(
        aging.buckets
          .filter((b) => b.bucket !== 'current')
          .map((b) => money(b.amount.amount, currency)),
        currency,
      ).amount
    : 0;
  const collected = answers.payments.months.at(-1);
  const figure = (name: string, label: string, value: string) =>
    `<div class="figure" data-figure="${name}"><div class="label">${escapeHtml(label)}</div><div class="value">${value}</div></div>`;
  const rate = (value: string | null | undefined) =>
    value === null || value === undefined ? '—' : `${escapeHtml(value)} %`;
  const figures = [
    figure('mrr', `MRR ${last?.month ?? ''}`, show(last?.mrr.amount ?? 0)),
    figure('arr', 'ARR', show(last?.arr.amount ?? 0)),
    figure('customers', 'Paying customers', String(last?.customers ?? 0)),
    figure('arpa', 'ARPA', show(last?.arpa.amount ?? 0)),
    figure('nrr', 'Net revenue retention', rate(last?.netRevenueRetention)),
    figure('revenue-churn', 'Revenue churn', rate(last?.revenueChurnRate)),
    figure('logo-churn', 'Logo churn', rate(last?.logoChurnRate)),
    figure(
      'collected',
      `Collected ${collected?.month ?? ''}`,
      show(collected?.collected.amount ?? 0),
    ),
    figure(
      'dso',
      'DSO (days)',
      answers.payments.dso === null ? '—' : escapeHtml(answers.payments.dso),
    ),
    figure('receivable', 'Receivable', show(aging?.total.amount ?? 0)),
    figure('overdue', 'Overdue', show(overdue)),
  ].join('\n');

  const overdueRows = answers.overdueInvoices.data
    .map(
      (i) => `<tr data-invoice-id="${escapeHtml(i.invoiceId)}">
<td>${workflowLink(context.temporalUi, `InvoiceId="${i.invoiceId}"`, i.number ?? i.invoiceId, 'invoice-workflows')}</td>
<td>${customerLink(i.customerId, i.customerName)}</td>
<td class="num">${show(i.amountDue.amount, i.amountDue.currency)}</td>
<td class="day">${escapeHtml(day(i.dueAt))}</td>
<td class="num" data-days-overdue="${i.daysOverdue}">${i.daysOverdue}</td>
</tr>`,
    )
    .join('\n');
  const renewalRows = answers.upcomingRenewals.data
    .map(
      (r) => `<tr data-subscription-id="${escapeHtml(r.subscriptionId)}">
<td>${customerLink(r.customerId, r.customerName)}</td>
<td>${escapeHtml(r.planCode)}</td>
<td class="day">${escapeHtml(day(r.renewsAt))}</td>
<td class="num">${show(r.amount.amount, r.amount.currency)}</td>
</tr>`,
    )
    .join('\n');
  const more = (hasMore: boolean, what: string) =>
    hasMore ? `<p class="more">More ${what} than shown here: see the insights API.</p>` : '';
  const currencies = answers.currencies
    .map((c) => `<option${c === currency ? ' selected' : ''}>${escapeHtml(c)}</option>`)
    .join('');
  const data = {
    ...answers,
    locale: context.locale,
    exponent: minorUnitExponent(currency),
    bucketLabels: BUCKET_LABELS,
  };

  return shell(
    `Finance dashboard (${currency}) · Billwright`,
    `<header>
<h1>Finance dashboard</h1>
<form class="filters" method="get" action="${DASHBOARD_PATH}">
<label>Currency <select name="currency">${currencies}</select></label>
<label>From <input name="from" type="month" value="${escapeHtml(answers.from)}"></label>
<label>To <input name="to" type="month" value="${escapeHtml(answers.to)}"></label>
<label>As of <input name="asOf" type="text" value="${escapeHtml(answers.asOf)}" size="24"></label>
<button type="submit">Show</button>
</form>
<form class="sign-out" method="post" action="${SIGN_OUT_PATH}">
<span>Signed in with key <strong>${escapeHtml(context.keyName)}</strong></span>
<button type="submit">Sign out</button>
</form>
</header>
<main>
<section class="figures" aria-label="Key figures">
${figures}
</section>
<section class="chart"><h2>MRR movements</h2><canvas id="mrr-movements" role="img" aria-label="MRR movements by month"></canvas></section>
<section class="chart"><h2>Receivables by age (${escapeHtml(day(answers.asOf))})</h2><canvas id="ar-aging" role="img" aria-label="Accounts receivable aging"></canvas></section>
<section class="chart"><h2>Cash collected</h2><canvas id="cash-collected" role="img" aria-label="Cash collected by month"></canvas></section>
<section class="table">
<h2>Overdue invoices</h2>
<table id="overdue-invoices"><thead><tr><th>Invoice</th><th>Customer</th><th class="num">Amount due</th><th>Due</th><th class="num">Days overdue</th></tr></thead>
<tbody>${overdueRows || '<tr><td colspan="5">Nothing overdue.</td></tr>'}</tbody></table>
${more(answers.overdueInvoices.hasMore, 'overdue invoices')}
</section>
<section class="table">
<h2>Renewals in the next 30 days</h2>
<table id="upcoming-renewals"><thead><tr><th>Customer</th><th>Plan</th><th>Renews</th><th class="num">Amount</th></tr></thead>
<tbody>${renewalRows || '<tr><td colspan="4">No renewals due.</td></tr>'}</tbody></table>
${more(answers.upcomingRenewals.hasMore, 'renewals')}
</section>
${context.temporalUi ? '' : '<p class="note">Set BILLWRIGHT_TEMPORAL_UI_URL to link each customer to its workflows in the Temporal UI.</p>'}
</main>
<script type="application/json" id="dashboard-data">${jsonForScriptElement(data)}</script>`,
    ['chart.umd.min.js', 'dashboard.js'],
  );
}

/** A link to the workflows the query finds in the Temporal UI, or the text alone without a UI. */
function workflowLink(
  ui: TemporalUiLinks | undefined,
  query: string,
  text: string,
  kind: string,
): string {
  if (!ui) return escapeHtml(text);
  const href = temporalUiWorkflowsUrl(ui.baseUrl, ui.namespace, query);
  return `<a class="${kind}" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

/** JSON that cannot end its <script> element or open a comment: `<` is written \u003c. */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
