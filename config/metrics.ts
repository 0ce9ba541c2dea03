// The metrics settings (docs/OPERATIONS.md "Metrics"), read with the rest by loadConfig.

/**
 * Where metrics are served and who may read them. BILLWRIGHT_METRICS_TOKEN: when set, every
 * /metrics asks for `Authorization: Bearer <token>`; unset, /metrics is open (keep it off the
 * public network). The worker serves its own on BILLWRIGHT_WORKER_METRICS_PORT and the Temporal
 * SDK's on BILLWRIGHT_WORKER_SDK_METRICS_PORT, each bound to BILLWRIGHT_METRICS_HOST (default
 * HOST); unset ports: no listener.
 */
export interface MetricsSettings {
  token: string | undefined;
  host: string;
  workerPort: number | undefined;
  sdkPort: number | undefined;
}

type PositiveInt = (name: string, value: string | undefined, fallback: number) => number;

export function metricsFromEnv(env: NodeJS.ProcessEnv, positiveInt: PositiveInt): MetricsSettings {
  const port = (name: string) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : positiveInt(name, value, 0);
  };
  return {
    token: env.BILLWRIGHT_METRICS_TOKEN || undefined,
    host: env.BILLWRIGHT_METRICS_HOST ?? env.HOST ?? '127.0.0.1',
    workerPort: port('BILLWRIGHT_WORKER_METRICS_PORT'),
    sdkPort: port('BILLWRIGHT_WORKER_SDK_METRICS_PORT'),
  };
}
