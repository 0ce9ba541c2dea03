// Bench only (bench/storm.ts): the renewal storm's ceiling. Same shape as a subscription's
// renewal (a timer to the shared instant, then its four activities in sequence: issue, render,
// read the sending window, email) with activities that do nothing, so what is left is the cost
// of Temporal itself on this server and worker.
import { proxyActivities, sleep } from '@temporalio/workflow';
import { quickStep } from '../workflows/activity-options.ts';

export interface NoopActivities {
  noop(step: number): Promise<number>;
}

const { noop } = proxyActivities<NoopActivities>(quickStep);

/** Activities per renewal, as the subscription workflow runs them. */
export const ACTIVITIES_PER_RENEWAL = 4;

export async function noopRenewalWorkflow(fireAt: string): Promise<void> {
  const wait = Date.parse(fireAt) - Date.now();
  if (wait > 0) await sleep(wait);
  for (let step = 1; step <= ACTIVITIES_PER_RENEWAL; step++) await noop(step);
}
