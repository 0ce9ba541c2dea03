// Start-up against a database that may not be up yet (a deploy racing a PostgreSQL restart, a
// compose stack starting together): retry connect + migrate with backoff and say so, instead of
// exiting and leaving the restart loop to the orchestrator.
import { setTimeout as delay } from 'node:timers/promises';
import {
  connectDatabase,
  databaseAddress,
  describeDatabaseError,
  isDatabaseUnavailable,
  type DatabaseConfig,
  type Db,
} from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { progress } from './log.ts';

export interface WaitOptions {
  /** First pause between attempts; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up (rethrow the last error) after this long; waits forever by default. */
  timeoutMs?: number;
  report?: (message: string) => void;
}

/**
 * Connects and applies pending migrations, waiting while PostgreSQL cannot be reached. Any other
 * error (bad credentials, a failing migration) fails at once: waiting would not fix it.
 */
export async function openMigratedDatabase(
  config: DatabaseConfig,
  options: WaitOptions = {},
): Promise<Db> {
  const report = options.report ?? progress;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const db = await connectDatabase(config);
  let pause = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(db);
      if (attempt > 1) report(`PostgreSQL at ${databaseAddress(config.url!)} is up`);
      return db;
    } catch (error) {
      if (!config.url || !isDatabaseUnavailable(error) || Date.now() + pause > deadline) {
        await db.destroy();
        throw error;
      }
      report(
        `waiting for PostgreSQL at ${databaseAddress(config.url)} (attempt ${attempt}): ${describeDatabaseError(rootCause(error))}…`,
      );
      await delay(pause);
      pause = Math.min(pause * 2, maxDelayMs);
    }
  }
}

function rootCause(error: unknown): unknown {
  let e = error;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  return e;
}
