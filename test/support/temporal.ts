// The time-skipping Temporal test server (Java, from Maven Central via infra/) and a workflow
// bundle built once per test file.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { registerSearchAttributes } from '../../infra/search-attributes.ts';
import { ensureTimeSkippingTestServer } from '../../infra/test-server.ts';
import { billwrightDataConverter, failureConverterPath } from '../../temporal/payload-codec.ts';
import { BILLING_TASK_QUEUE, RENDER_TASK_QUEUE } from '../../temporal/task-queues.ts';
import { billingWorkerInterceptors, workflowsPath } from '../../temporal/worker.ts';
import { TEST_PAYLOAD_KEYS } from './payload-keys.ts';

// Workers log every state change at INFO; tests only want to hear about trouble.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** As the production worker and clients are configured: payloads encrypted, failures encoded. */
export const testDataConverter = billwrightDataConverter(TEST_PAYLOAD_KEYS);

export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const path = await ensureTimeSkippingTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    // Without Java or Maven, the SDK downloads its own build of the same server.
    ...(path ? { server: { executable: { type: 'existing-path', path } } } : {}),
    client: { dataConverter: testDataConverter },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes a second or two: do it once per file, share it between workers. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietLogger });
  return bundle;
}

export interface TestWorkerOptions {
  activities: object;
  /** Default: the billing task queue, where the API starts its workflows. */
  taskQueue?: string;
  /** 0: no sticky cache, so a worker stopped mid-test hands its workflows over cleanly. */
  maxCachedWorkflows?: number;
  /**
   * Default true: the worker also polls the render task queue (printInvoicePdf) with the same
   * activities while it runs, as `npm start` polls both; false for a billing-only worker.
   */
  render?: boolean;
}

/** A worker on the test server as production configures one: the shared bundle, encrypted payloads. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: TestWorkerOptions,
): Promise<Worker> {
  const worker = await billingTestWorker(env, options);
  if (options.render === false) return worker;
  // The render queue is polled while the worker runs (run, runUntil, shutdown).
  const runBilling = worker.run.bind(worker);
  worker.run = () => whileRendering(env, options.activities, runBilling);
  return worker;
}

/**
 * One render worker per test server at a time (the SDK refuses two on one queue in a process):
 * started by the first test worker that runs, with its activities, and stopped when the last
 * one running stops.
 */
const renderWorkers = new WeakMap<
  TestWorkflowEnvironment,
  {
    users: number;
    running?: Promise<{ worker: Worker; done: Promise<void> }>;
    stopped: Promise<void>;
  }
>();

async function whileRendering<T>(
  env: TestWorkflowEnvironment,
  activities: object,
  fn: () => Promise<T>,
): Promise<T> {
  let shared = renderWorkers.get(env);
  if (!shared) {
    shared = { users: 0, stopped: Promise.resolve() };
    renderWorkers.set(env, shared);
  }
  const state = shared;
  state.users++;
  state.running ??= state.stopped.then(async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: RENDER_TASK_QUEUE,
      dataConverter: testDataConverter,
      activities,
      interceptors: billingWorkerInterceptors,
    });
    return { worker, done: worker.run() };
  });
  try {
    await state.running;
    return await fn();
  } finally {
    state.users--;
    if (state.users === 0 && state.running !== undefined) {
      const running = state.running;
      state.running = undefined;
      state.stopped = running.then(async ({ worker, done }) => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done;
      });
      await state.stopped;
    }
  }
}

async function billingTestWorker(env: TestWorkflowEnvironment, options: TestWorkerOptions) {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: options.taskQueue ?? BILLING_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter,
    activities: options.activities,
    interceptors: billingWorkerInterceptors,
    ...(options.maxCachedWorkflows === undefined
      ? {}
      : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
}

export interface RunningWorker {
  /** Shuts the worker down and waits for it to finish its tasks. */
  stop(): Promise<void>;
}

/** A worker running for the whole test file (beforeAll), stopped in afterAll. */
export async function startTestWorker(
  env: TestWorkflowEnvironment,
  options: TestWorkerOptions,
): Promise<RunningWorker> {
  const worker = await createTestWorker(env, options);
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** Polls until `check` returns a value, failing with `what` after the deadline. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
