// The task queues workers poll, named once: workflows route activities to a queue by its name,
// and the runtime (temporal/task-queues.ts) starts a worker per queue it is told to poll.

/** Billing workflows and their activities: every workflow runs here. */
export const BILLING_TASK_QUEUE = 'billwright-billing';

/**
 * Printing invoice PDFs (Chromium, the heaviest step of a billing run): activities only, on
 * workers of their own, so rendering scales apart from billing (BILLWRIGHT_WORKER_QUEUES).
 */
export const RENDER_TASK_QUEUE = 'billwright-render';
