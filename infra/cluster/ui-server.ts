// The Temporal Web UI against the cluster: the UI server with its config generated like the
// nodes', pointed at the cluster's one address.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnLogged, type LoggedProcess } from '../process.ts';
import { CLUSTER_HOST } from './temporal-node.ts';
import { TEMPORAL_NAMESPACE } from './versions.ts';

export interface UiServer {
  url: string;
  port: number;
  process: LoggedProcess;
}

export async function spawnUiServer(options: {
  binary: string;
  dir: string;
  port: number;
  temporalAddress: string;
  /** Where the browser decrypts payloads: the API's codec endpoint. */
  codecEndpoint?: string;
  /** Origins the UI's own API answers (the API's, for the codec round trip). */
  corsOrigins: string[];
}): Promise<UiServer> {
  const { binary, dir, port } = options;
  await mkdir(join(dir, 'config'), { recursive: true });
  const config = {
    temporalGrpcAddress: options.temporalAddress,
    host: CLUSTER_HOST,
    port,
    enableUi: true,
    defaultNamespace: TEMPORAL_NAMESPACE,
    cors: { allowOrigins: options.corsOrigins },
    ...(options.codecEndpoint ? { codec: { endpoint: options.codecEndpoint } } : {}),
  };
  await writeFile(join(dir, 'config', 'ui.yaml'), `${JSON.stringify(config, null, 2)}\n`);
  const process = spawnLogged(
    binary,
    ['--root', dir, '--config', 'config', '--env', 'ui', 'start'],
    { logFile: join(dir, 'ui.log'), cwd: dir },
  );
  return { url: `http://${CLUSTER_HOST}:${port}`, port, process };
}
