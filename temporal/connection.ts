// How processes reach Temporal: the standard TEMPORAL_* variables and config profiles of
// @temporalio/envconfig (address, namespace, TLS certificates, API key), so the same build runs
// against the dev server, a self-hosted cluster or Temporal Cloud.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Extra options from envconfig (tls, apiKey, metadata) for non-local clusters. */
  options: Record<string, unknown>;
}

/** Reads the target from the environment; `override` wins (used when we start the dev server). */
export function temporalTargetFromEnv(override?: {
  address: string;
  namespace: string;
}): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const { address, ...options } = connectionOptions;
  return {
    address: override?.address ?? address ?? 'localhost:7233',
    namespace: override?.namespace ?? namespace ?? 'default',
    options: override ? {} : options,
  };
}

/** A client whose payloads go through `dataConverter` (billwrightDataConverter: encrypted). */
export async function connectClient(
  target: TemporalTarget,
  dataConverter: DataConverter,
): Promise<Client> {
  const connection = await Connection.connect({ ...target.options, address: target.address });
  return new Client({ connection, namespace: target.namespace, dataConverter });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ ...target.options, address: target.address });
}
