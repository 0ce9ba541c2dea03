// What every use case runs on: the database and a Temporal client, with the caller's deadline.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connect.ts';

export interface ServiceDependencies {
  db: Db;
  temporal: Pick<Client, 'workflow'>;
  /** Bounds each call to Temporal (the API answers 503 past its deadline); none by default. */
  withDeadline?: <T>(call: () => Promise<T>) => Promise<T>;
}

/** Runs a call to Temporal within the caller's deadline, if it has one. */
export function temporalCall<T>(deps: ServiceDependencies, call: () => Promise<T>): Promise<T> {
  return deps.withDeadline ? deps.withDeadline(call) : call();
}

/** One page of a list: at most `limit` items after the one whose cursor is `startingAfter`. */
export interface PageRequest {
  limit: number;
  startingAfter?: string | undefined;
}
