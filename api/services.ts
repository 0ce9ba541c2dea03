// How a route calls a use case in services/: with the app's database and Temporal client, each
// Temporal call within the API's deadline, and a refusal answered as its problem.
import type { FastifyInstance } from 'fastify';
import type { ServiceDependencies } from '../services/dependencies.ts';
import { Refused } from '../services/refused.ts';
import { withTemporalDeadline } from './plugins/temporal.ts';
import { refusalProblem } from './problem.ts';
import { temporalProblem, type WorkflowSubject } from './temporal-problem.ts';

export function serviceDependencies(app: FastifyInstance): ServiceDependencies {
  return {
    db: app.db,
    temporal: app.temporal,
    withDeadline: (call) => withTemporalDeadline(app, call),
  };
}

/** Runs a use case; its refusal becomes the problem the client sees, anything else is thrown. */
export async function answeringRefusals<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof Refused ? refusalProblem(error) : error;
  }
}

/** As answeringRefusals, and a failed call to `subject`'s workflow as its problem. */
export async function answeringUpdates<T>(
  subject: WorkflowSubject,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Refused) throw refusalProblem(error);
    throw temporalProblem(error, subject) ?? error;
  }
}
