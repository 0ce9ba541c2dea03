// Spend alerts' side effects (docs/BALANCE.md), called by the balance workflow only when a read
// reached an alert's level or an earlier crossing resolved: the crossing recorded once per
// (alert, customer, period) with its spend_alert.triggered event in one transaction, the
// operator's email once per crossing (keyed by it), and spend_alert.resolved once per crossing.
// A retried or replayed activity finds everything recorded and writes nothing twice.
import { log } from '@temporalio/activity';
import { getCustomer } from '../db/repositories/customers.ts';
import {
  getSpendAlert,
  recordCrossing,
  resolveCrossings,
} from '../db/repositories/spend-alerts.ts';
import type { SpendAlert, SpendAlertCrossing } from '../db/database.ts';
import { escapeHtml } from '../documents/html.ts';
import type { SpendAlertChanges } from '../domain/alerts/spend-alerts.ts';
import { formatMoney } from '../domain/core/money.ts';
import { translatorFor } from '../i18n/catalogue.ts';
import { sendDocumentEmail, type EmailDependencies } from './email.ts';

export interface SpendAlertDependencies extends EmailDependencies {
  webhooks?: { operatorEmail: string | undefined } | undefined;
}

/** The operator's notices are worded in English: the seller's team has no locale of its own. */
const OPERATOR_LOCALE = 'en';

export interface SpendAlertChangesInput extends SpendAlertChanges {
  customerId: string;
  periodStart: string;
  periodEnd: string | null;
  /** The customer's clock at the read that found the changes. */
  at: string;
}

export function createSpendAlertActivities(deps: SpendAlertDependencies) {
  const { db } = deps;

  /** Emails the operator about one crossing, once (keyed by the crossing); none without one. */
  async function notifyOperator(alert: SpendAlert, crossing: SpendAlertCrossing): Promise<void> {
    const to = deps.webhooks?.operatorEmail;
    if (!to) {
      log.info('no operator address: spend alert not emailed', { crossingId: crossing.id });
      return;
    }
    const customer = await getCustomer(db, crossing.customer_id);
    const t = translatorFor(OPERATOR_LOCALE);
    const amount = (minor: string) =>
      formatMoney({ amount: Number(minor), currency: alert.currency! }, OPERATOR_LOCALE);
    const level = alert.kind === 'amount' ? amount(String(alert.amount)) : alert.units!;
    const values = {
      alert: alert.name ?? alert.id,
      customer: customer ? `${customer.name} (${customer.id})` : crossing.customer_id,
      metric: alert.metric_code ?? '',
      value: alert.kind === 'amount' ? amount(crossing.value) : crossing.value,
      level,
      periodStart: crossing.period_start.toISOString().slice(0, 10),
      periodEnd: crossing.period_end?.toISOString().slice(0, 10) ?? '…',
    };
    const lines = [
      t(alert.kind === 'amount' ? 'spendalerts.amountReached' : 'spendalerts.usageReached', values),
      ...(alert.hard_stop ? [t('spendalerts.hardStop')] : []),
      t('spendalerts.onceAPeriod'),
    ];
    await sendDocumentEmail(deps, {
      kind: 'operator_notice',
      idempotencyKey: `spend-alert/${crossing.id}/triggered`,
      // To the seller, about no one customer's document: dated in real time.
      invoiceId: null,
      tags: { spend_alert: alert.id },
      compose: () =>
        Promise.resolve({
          to,
          message: {
            subject: t('spendalerts.triggeredSubject', values),
            html: `<!doctype html><html><body style="font-family:sans-serif">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
            text: lines.join('\n\n'),
          },
        }),
    });
  }

  return {
    /**
     * Records what one balance read found: each crossing once, with its event (then the
     * operator's email, keyed by the crossing, so a retry after the commit still sends it once),
     * and each resolution once, with its event.
     */
    async recordSpendAlertChanges(input: SpendAlertChangesInput): Promise<void> {
      const periodStart = new Date(input.periodStart);
      const at = new Date(input.at);
      for (const { alertId, value } of input.crossed) {
        const { crossing } = await recordCrossing(db, {
          alertId,
          customerId: input.customerId,
          periodStart,
          periodEnd: input.periodEnd === null ? null : new Date(input.periodEnd),
          value,
          at,
        });
        const alert = await getSpendAlert(db, alertId);
        if (alert) await notifyOperator(alert, crossing);
      }
      for (const { alertId, value } of input.resolved) {
        await resolveCrossings(db, {
          alertId,
          customerId: input.customerId,
          periodStart,
          value,
          at,
        });
      }
    },
  };
}

/** What the customer balance workflow calls through proxyActivities (import type only). */
export type SpendAlertActivities = ReturnType<typeof createSpendAlertActivities>;
