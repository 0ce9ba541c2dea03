// No Docker engine runs here, so the compose file is checked for shape: the services a
// production-like stack needs, wired to each other the way the code expects.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { billwrightSearchAttributes } from '../../temporal/search-attributes.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
}

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('describes PostgreSQL, Temporal on PostgreSQL, its UI, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.postgresql!.image).toMatch(/^postgres:\d+/);
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+/);
    expect(services.temporal!.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
    });
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui']!.ports).toContain('8233:8080');
    expect(services.temporal!.ports).toContain('7233:7233');
    expect(services.api!.ports).toContain('3000:3000');
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
      expect(env.TEMPORAL_NAMESPACE).toBe('default');
      expect(services[name]!.depends_on).toMatchObject({
        postgresql: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
    expect(services.api!.environment!.HOST).toBe('0.0.0.0');
  });

  it('registers every search attribute the workflows use, with the right types', () => {
    const command = String(services['temporal-setup']!.command);
    for (const { name, type } of billwrightSearchAttributes) {
      const cliType = type === 'DATETIME' ? 'Datetime' : 'Keyword';
      expect(command).toContain(`${name}=${cliType}`);
    }
  });

  it('declares every named volume it mounts', () => {
    expect(Object.keys(compose.volumes)).toEqual(['postgres-data']);
  });
});
