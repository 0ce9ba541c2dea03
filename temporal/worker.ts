// The workers: billing (workflows from workflows/, activities wired to real adapters) and render
// (printing invoice PDFs, activities only, on their own task queue).
import { fileURLToPath } from 'node:url';
import {
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import {
  createActivities,
  createRenderActivities,
  type ActivityDependencies,
} from '../activities/index.ts';
import { activityMetricsInterceptor } from '../observability/activity-metrics.ts';
import { BILLING_TASK_QUEUE, RENDER_TASK_QUEUE } from './task-queues.ts';

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

export interface RenderWorkerOptions extends Pick<
  BillingWorkerOptions,
  'connection' | 'namespace' | 'dataConverter' | 'activities'
> {
  dependencies: Pick<ActivityDependencies, 'db' | 'pdf'>;
}

/**
 * A render worker: polls RENDER_TASK_QUEUE for printInvoicePdf and nothing else (no workflows),
 * so PDF printing, Chromium's memory and CPU, scales on workers of its own.
 */
export async function createRenderWorker(options: RenderWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: RENDER_TASK_QUEUE,
    dataConverter: options.dataConverter,
    activities: options.activities ?? createRenderActivities(options.dependencies),
    interceptors: billingWorkerInterceptors,
  });
}
