// No Docker engine runs here, so the compose file is checked for shape: the services a
// production-like stack needs, wired to each other the way the code expects, and saying the same
// as `npm run cluster` (infra/cluster/), which does run here: same Temporal and UI versions,
// schemas, namespace, search attributes and dynamic config.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEMPORAL_SCHEMAS } from '../../infra/cluster/schema.ts';
import { DYNAMIC_CONFIG_FILE, nodeConfig } from '../../infra/cluster/temporal-node.ts';
import {
  POSTGRES_MAJOR,
  SEARCH_ATTRIBUTE_SPECS,
  TEMPORAL_DATABASE,
  TEMPORAL_HISTORY_SHARDS,
  TEMPORAL_NAMESPACE,
  TEMPORAL_RETENTION_DAYS,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_SQL_PLUGIN,
  TEMPORAL_UI_VERSION,
  TEMPORAL_VISIBILITY_DATABASE,
} from '../../infra/cluster/versions.ts';
import { billwrightSearchAttributes } from '../../workflow-contracts/search-attributes.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}

const root = new URL('../../', import.meta.url);
const rootDir = resolve(import.meta.dirname, '../..');
const text = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const compose = parse(text) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const ports = {
  frontend: 1,
  frontendHttp: 2,
  frontendMembership: 3,
  history: 4,
  historyMembership: 5,
  matching: 6,
  matchingMembership: 7,
  worker: 8,
  workerMembership: 9,
};
const clusterNode = nodeConfig(
  ports,
  { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' },
  '127.0.0.1:7233',
) as {
  persistence: {
    numHistoryShards: number;
    datastores: Record<string, { sql: { pluginName: string; databaseName: string } }>;
  };
  dynamicConfigClient: { filepath: string };
};

describe('docker-compose.yml', () => {
  it('describes PostgreSQL, the Temporal schema setup, Temporal, its setup and UI, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'postgresql',
        'temporal',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        'worker',
      ].sort(),
    );
    expect(services['temporal-ui']!.ports).toContain('8233:8080');
    expect(services.temporal!.ports).toContain('7233:7233');
    expect(services.api!.ports).toContain('3000:3000');
  });

  it('runs the versions the cluster script builds, and no deprecated auto-setup image', () => {
    expect(text).not.toContain('auto-setup');
    expect(services.postgresql!.image).toBe(`postgres:${POSTGRES_MAJOR}`);
    expect(services.temporal!.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-schema']!.image).toBe(
      `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
    );
    expect(services['temporal-setup']!.image).toBe(
      `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
    );
    expect(services['temporal-ui']!.image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION}`);
  });

  it('sets up the same schemas as the cluster script before the server starts', () => {
    const schema = services['temporal-schema']!;
    expect(schema.environment).toMatchObject({
      SQL_PLUGIN: TEMPORAL_SQL_PLUGIN,
      SQL_HOST: 'postgresql',
    });
    for (const [database, name] of TEMPORAL_SCHEMAS) {
      expect(String(schema.command)).toContain(`${database}:${name}`);
    }
    expect(String(schema.command)).toContain('--schema-name');
    expect(services.temporal!.depends_on).toMatchObject({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
  });

  it('configures the server as the cluster script configures its nodes', () => {
    const stores = Object.values(clusterNode.persistence.datastores).map((store) => store.sql);
    expect(stores.map((sql) => sql.databaseName).sort()).toEqual(
      [TEMPORAL_DATABASE, TEMPORAL_VISIBILITY_DATABASE].sort(),
    );
    expect(new Set(stores.map((sql) => sql.pluginName))).toEqual(new Set([TEMPORAL_SQL_PLUGIN]));
    expect(clusterNode.persistence.numHistoryShards).toBe(TEMPORAL_HISTORY_SHARDS);
    expect(services.temporal!.environment).toMatchObject({
      DB: TEMPORAL_SQL_PLUGIN,
      DBNAME: TEMPORAL_DATABASE,
      VISIBILITY_DBNAME: TEMPORAL_VISIBILITY_DATABASE,
      POSTGRES_SEEDS: 'postgresql',
      NUM_HISTORY_SHARDS: String(TEMPORAL_HISTORY_SHARDS),
    });
    // One dynamic config file, mounted where DYNAMIC_CONFIG_FILE_PATH points.
    expect(clusterNode.dynamicConfigClient.filepath).toBe(DYNAMIC_CONFIG_FILE);
    const mount = services.temporal!.volumes!.find((volume) =>
      volume.startsWith(`./${relative(rootDir, DYNAMIC_CONFIG_FILE)}:`),
    );
    expect(mount).toBeDefined();
    const target = mount!.split(':')[1]!;
    expect(target).toBe(
      `/etc/temporal/${services.temporal!.environment!.DYNAMIC_CONFIG_FILE_PATH}`,
    );
  });

  it('creates the namespace and registers every search attribute, as the cluster script does', () => {
    const command = String(services['temporal-setup']!.command);
    expect(command).toContain(`--namespace ${TEMPORAL_NAMESPACE}`);
    expect(command).toContain(`--retention ${TEMPORAL_RETENTION_DAYS * 24}h`);
    expect(SEARCH_ATTRIBUTE_SPECS).toHaveLength(billwrightSearchAttributes.length);
    for (const spec of SEARCH_ATTRIBUTE_SPECS) expect(command).toContain(spec);
    expect(services['temporal-setup']!.depends_on).toMatchObject({
      temporal: { condition: 'service_healthy' },
    });
  });

  it('builds the API and worker from the Dockerfile and runs their entry points', () => {
    expect(existsSync(new URL('Dockerfile', root))).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const [name, script] of [
      ['api', 'api'],
      ['worker', 'worker'],
    ] as const) {
      const service = services[name]!;
      expect(service.build).toBe('.');
      const entry = (service.command as string[]).at(-1)!;
      expect(existsSync(new URL(entry, root))).toBe(true);
      expect(pkg.scripts[script]).toContain(entry);
    }
  });

  it('points the API and worker at PostgreSQL and Temporal by service name', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name]!.environment!;
      const db = new URL(env.DATABASE_URL!);
      expect(db.protocol).toBe('postgres:');
      expect(db.hostname).toBe('postgresql');
      expect(db.pathname).toBe(`/${services.postgresql!.environment!.POSTGRES_DB}`);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TEMPORAL_NAMESPACE).toBe(TEMPORAL_NAMESPACE);
      // PDFs are attached (the default): nothing turns it down to links.
      expect(env.BILLWRIGHT_EMAIL_PDF).toBeUndefined();
      expect(services[name]!.depends_on).toMatchObject({
        postgresql: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
    expect(services.api!.environment!.HOST).toBe('0.0.0.0');
  });

  it('declares every named volume it mounts', () => {
    expect(Object.keys(compose.volumes)).toEqual(['postgres-data']);
  });
});

describe('Dockerfile', () => {
  it('runs a Node.js the project supports', () => {
    const major = Number(/^FROM node:(\d+)/m.exec(dockerfile)?.[1]);
    const engines = (
      JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node;
    expect(major).toBeGreaterThanOrEqual(Number(/(\d+)/.exec(engines)![1]));
  });

  it("installs Debian's Chromium, so invoice PDFs are printed and attached in production", () => {
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bchromium\b/);
    expect(dockerfile).not.toMatch(/^ENV[^\n]*BILLWRIGHT_EMAIL_PDF/m);
  });
});
