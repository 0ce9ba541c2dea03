// Starts one throw-away PostgreSQL server for the whole suite, unless DATABASE_URL names one.
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../../infra/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const server = await startThrowawayPostgres();
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}
