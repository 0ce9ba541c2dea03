// The process's Prometheus metrics (prom-client): what billing did, counted where it happened,
// once per real event (an invoice when the transaction that created it commits, not when a
// retry finds it), plus Node's process metrics. One registry per process; the API serves it at
// /metrics, the worker on its own port (observability/metrics-server.ts). docs/OPERATIONS.md
// lists every metric. Imported by activities, services and the runtime, never by workflows.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

/** Invoices finalized, by where they came from and their currency. */
export const invoicesIssued = new Counter({
  name: 'billwright_invoices_issued_total',
  help: 'Invoices issued (finalized and numbered), once each.',
  labelNames: ['origin', 'currency'] as const,
  registers: [registry],
});

/** Emails the provider accepted, by kind (invoice, receipt, credit_note, reminder, …). */
export const emailsSent = new Counter({
  name: 'billwright_emails_sent_total',
  help: 'Emails handed to the provider and recorded as sent, once each.',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Credit notes issued, by where they came from and their currency. */
export const creditNotesIssued = new Counter({
  name: 'billwright_credit_notes_issued_total',
  help: 'Credit notes issued (numbered), once each.',
  labelNames: ['origin', 'currency'] as const,
  registers: [registry],
});

/** Payments recorded against invoices, by source and currency. */
export const paymentsRecorded = new Counter({
  name: 'billwright_payments_recorded_total',
  help: 'Payments recorded, once each (a repeated webhook or Idempotency-Key is not counted).',
  labelNames: ['source', 'currency'] as const,
  registers: [registry],
});

/** Every activity attempt this worker ran, by activity type. */
export const activityAttempts = new Counter({
  name: 'billwright_activity_attempts_total',
  help: 'Activity attempts run by this worker, by activity type.',
  labelNames: ['activity_type'] as const,
  registers: [registry],
});

/** Activity attempts that threw (Temporal retries most of them), by activity type. */
export const activityFailures = new Counter({
  name: 'billwright_activity_failures_total',
  help: 'Activity attempts that failed, by activity type (retried or not).',
  labelNames: ['activity_type'] as const,
  registers: [registry],
});

/** Seconds from a renewal's due time (its boundary) to the commit that issued its invoice. */
export const billingRunLag = new Histogram({
  name: 'billwright_billing_run_lag_seconds',
  help: 'Seconds from a period boundary to the issue of its invoice (subscriptions on real time).',
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600, 86_400],
  registers: [registry],
});

let collectingProcess = false;

/** Adds Node's process metrics (CPU, memory, event loop lag, GC) once, when a server exposes them. */
export function collectProcessMetrics(): void {
  if (collectingProcess) return;
  collectingProcess = true;
  collectDefaultMetrics({ register: registry });
}

/** The exposition text and its content type, for whoever serves /metrics. */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
