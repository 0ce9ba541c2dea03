// Which task queues a worker process polls (docs/OPERATIONS.md), read with the rest by loadConfig.

/** The worker roles: `billing` (every workflow and its activities), `render` (invoice PDFs). */
export const WORKER_QUEUES = ['billing', 'render'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

/**
 * BILLWRIGHT_WORKER_QUEUES: a comma-separated list of roles, e.g. `render` for a PDF worker or
 * `billing` for one that leaves printing to others; unset, both (what `npm start` runs).
 */
export function workerQueuesFromEnv(env: NodeJS.ProcessEnv): WorkerQueue[] {
  const value = env.BILLWRIGHT_WORKER_QUEUES;
  if (value === undefined || value.trim() === '') return [...WORKER_QUEUES];
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(WORKER_QUEUES as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw new Error(
      `BILLWRIGHT_WORKER_QUEUES must list ${WORKER_QUEUES.join(' and/or ')}, got "${value}"`,
    );
  }
  return WORKER_QUEUES.filter((queue) => names.includes(queue));
}
