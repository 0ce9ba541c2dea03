// Counts every activity attempt a worker runs and every one that fails, by activity type: an
// inbound interceptor wraps each execution, so no activity counts itself. A failure here is an
// attempt that threw; Temporal retries most, so the ratio failures / attempts is the alarm,
// not a single failure.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { activityAttempts, activityFailures } from './metrics.ts';

export const activityMetricsInterceptor: ActivityInterceptorsFactory = (context) => ({
  inbound: {
    async execute(input, next) {
      const labels = { activity_type: context.info.activityType };
      activityAttempts.inc(labels);
      try {
        return await next(input);
      } catch (error) {
        activityFailures.inc(labels);
        throw error;
      }
    },
  },
});
