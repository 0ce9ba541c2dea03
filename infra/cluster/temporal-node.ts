// One Temporal server node: every service (frontend, history, matching, worker) in one process,
// on ports of its own. Nodes sharing the same PostgreSQL databases form one cluster: they find
// each other through the membership table there, so no seed list is needed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPortFree } from '../free-port.ts';
import { spawnLogged, type LoggedProcess } from '../process.ts';
import {
  TEMPORAL_DATABASE,
  TEMPORAL_HISTORY_SHARDS,
  TEMPORAL_SQL_PLUGIN,
  TEMPORAL_VISIBILITY_DATABASE,
} from './versions.ts';

export const CLUSTER_HOST = '127.0.0.1';
/** Shared with docker-compose.yml (mounted into the temporalio/server containers). */
export const DYNAMIC_CONFIG_FILE = resolve(
  import.meta.dirname,
  '../../deploy/temporal/dynamicconfig.yaml',
);

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface NodePorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

// Temporal keeps each node's ports in a smallint column of its membership table: ports from the
// kernel's ephemeral range (32768 and up) fail there, so pick free ones below it.
const LOW_PORTS = { from: 10_000, to: 32_767 };
const taken = new Set<number>();

async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW_PORTS.from + Math.floor(Math.random() * (LOW_PORTS.to - LOW_PORTS.from));
    if (!taken.has(port) && (await isPortFree(port, CLUSTER_HOST))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${LOW_PORTS.from} and ${LOW_PORTS.to}`);
}

export async function freeNodePorts(): Promise<NodePorts> {
  const names: (keyof NodePorts)[] = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ];
  const ports = {} as NodePorts;
  for (const name of names) ports[name] = await freeLowPort();
  return ports;
}

function datastore(postgres: PostgresEndpoint, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: TEMPORAL_SQL_PLUGIN,
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
  rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
});

/** The node's static config (JSON is YAML, and needs no YAML library at run time). */
export function nodeConfig(
  ports: NodePorts,
  postgres: PostgresEndpoint,
  clusterAddress: string,
): object {
  return {
    log: { stdout: true, level: 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: TEMPORAL_HISTORY_SHARDS,
      datastores: {
        'postgres-default': datastore(postgres, TEMPORAL_DATABASE, 20),
        'postgres-visibility': datastore(postgres, TEMPORAL_VISIBILITY_DATABASE, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: CLUSTER_HOST } },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: clusterAddress,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  };
}

export interface TemporalNode {
  name: string;
  ports: NodePorts;
  /** host:port of this node's frontend. */
  address: string;
  process: LoggedProcess;
}

/** Writes `<dir>/config/<name>.yaml` and starts the server on it (not yet waiting for it). */
export async function spawnTemporalNode(options: {
  binary: string;
  dir: string;
  name: string;
  ports: NodePorts;
  postgres: PostgresEndpoint;
  clusterAddress: string;
}): Promise<TemporalNode> {
  const { binary, dir, name, ports } = options;
  await mkdir(join(dir, 'config'), { recursive: true });
  await writeFile(
    join(dir, 'config', `${name}.yaml`),
    `${JSON.stringify(nodeConfig(ports, options.postgres, options.clusterAddress), null, 2)}\n`,
  );
  const process = spawnLogged(
    binary,
    ['--root', dir, '--config', 'config', '--env', name, '--allow-no-auth', 'start'],
    { logFile: join(dir, `${name}.log`), cwd: dir },
  );
  return { name, ports, address: `${CLUSTER_HOST}:${ports.frontend}`, process };
}
