// Threshold billing's check in the live balance (issue #14): after each read, every subscription
// whose unbilled usage reached its billing threshold is asked (by its workflow's billThreshold
// Update, through an activity) to bill the usage so far. Nothing is called when nothing crossed.
// A request is asked once per (subscription, period, sequence) in a run; the sequence comes from
// the database (interim invoices already issued), and the invoice's unique key makes a request
// seen twice (another run, a retry) issue nothing more.
import { log, proxyActivities } from '@temporalio/workflow';
import type { ThresholdActivities } from '../activities/thresholds.ts';
import { money, toMajorUnitString } from '../domain/core/money.ts';
import { crossedThresholds, thresholdKey } from '../domain/invoicing/threshold.ts';
import type { BalanceSnapshot } from '../workflow-contracts/balance.ts';
import { thresholdRequest } from './activity-options.ts';

const { requestThresholdInvoice } = proxyActivities<ThresholdActivities>(thresholdRequest);

/** Keys asked in this run, so a re-read that still sees the crossing does not ask again. */
const ASKED_WINDOW = 1_000;

/**
 * The check, run after each read. Requests run beside the read loop, never awaited by it: the
 * subscription workflow answers once the invoice is issued, but may first finish another
 * invoice's delivery (an email held for business hours), and the balance must stay live
 * meanwhile. `onIssued` is told of each invoice issued, so the balance is read again.
 */
export function thresholdBilling(onIssued: () => void) {
  const asked: string[] = [];
  return function billCrossedThresholds(snapshot: BalanceSnapshot): void {
    for (const crossing of crossedThresholds(snapshot.thresholds ?? [])) {
      const key = `${crossing.subscriptionId}/${thresholdKey(crossing.periodEnd, crossing.sequence)}`;
      if (asked.includes(key)) continue;
      asked.push(key);
      if (asked.length > ASKED_WINDOW) asked.shift();
      const amount = toMajorUnitString(money(crossing.unbilled, snapshot.currency));
      requestThresholdInvoice
        .executeWithOptions(
          {
            summary: `Ask ${crossing.subscriptionId} for interim invoice #${crossing.sequence}: threshold reached, ${snapshot.currency} ${amount} unbilled`,
          },
          [
            {
              subscriptionId: crossing.subscriptionId,
              periodEnd: crossing.periodEnd,
              sequence: crossing.sequence,
              unbilled: crossing.unbilled,
              currency: snapshot.currency,
            },
          ],
        )
        .then(
          (answer) => {
            if (answer.outcome === 'issued') onIssued();
          },
          (error: unknown) => {
            // Asked again by the next read that still sees the crossing (the key is idempotent).
            log.warn('the threshold request failed', { key, error: String(error) });
            asked.splice(asked.indexOf(key), 1);
          },
        );
    }
  };
}
