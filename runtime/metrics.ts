// The worker's metrics, started with it: this process's registry on its own small HTTP listener
// (BILLWRIGHT_WORKER_METRICS_PORT), and the Temporal SDK's own metrics (workflow and activity
// task latencies, polls, slots, sticky cache) exported by the SDK's Rust core on another port
// (BILLWRIGHT_WORKER_SDK_METRICS_PORT). Two ports: the core serves its exporter itself, and
// copying it into prom-client would mean polling a buffer for no gain to the scraper.
import { Runtime } from '@temporalio/worker';
import type { MetricsSettings } from '../config/index.ts';
import { startMetricsServer } from '../observability/metrics-server.ts';
import { progress } from './log.ts';

/**
 * Installs the SDK runtime with its Prometheus exporter. Must run before the process's first
 * connection to Temporal (a runtime exists from then on and cannot be replaced).
 */
export function installSdkMetrics(settings: MetricsSettings): void {
  if (settings.sdkPort === undefined) return;
  const bindAddress = `${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.sdkPort}`;
  try {
    Runtime.install({
      telemetryOptions: {
        metrics: {
          metricPrefix: 'temporal_',
          prometheus: {
            bindAddress,
            countersTotalSuffix: true,
            unitSuffix: true,
            useSecondsForDurations: true,
          },
        },
      },
    });
    progress(`Temporal SDK metrics on http://${bindAddress}/metrics`);
  } catch (error) {
    progress(`Temporal SDK metrics not exported: ${String(error)}`);
  }
}

/** Starts the worker's /metrics listener when a port is set; returns how to stop it. */
export async function startWorkerMetrics(
  settings: MetricsSettings,
): Promise<(() => Promise<void>) | undefined> {
  if (settings.workerPort === undefined) return undefined;
  const server = await startMetricsServer({
    host: settings.host,
    port: settings.workerPort,
    token: settings.token,
  });
  progress(`worker metrics on ${server.url}`);
  return () => server.close();
}
