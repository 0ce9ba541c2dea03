/** The task queue billing workflows and activities run on. */
export const BILLING_TASK_QUEUE = 'billwright-billing';
