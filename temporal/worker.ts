// The billing worker: workflows from workflows/, activities wired to real adapters.
import { fileURLToPath } from 'node:url';
import {
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities, type ActivityDependencies } from '../activities/index.ts';
import { activityMetricsInterceptor } from '../observability/activity-metrics.ts';
import { BILLING_TASK_QUEUE } from './task-queues.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** What every billing worker intercepts: each activity attempt counted (observability/). */
export const billingWorkerInterceptors = { activity: [activityMetricsInterceptor] };

export interface BillingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** billwrightDataConverter: payloads encrypted, failures encoded (as every client's). */
  dataConverter: DataConverter;
  dependencies: ActivityDependencies;
  taskQueue?: string;
  /** A prebuilt bundle (tests bundle once); otherwise the worker bundles workflowsPath. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Activities to use instead of the real ones (tests wrap real ones to inject faults). */
  activities?: object;
}

export async function createBillingWorker(options: BillingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? BILLING_TASK_QUEUE,
    dataConverter: options.dataConverter,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: options.activities ?? createActivities(options.dependencies),
    interceptors: billingWorkerInterceptors,
  });
}
