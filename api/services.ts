// How a route calls a use case in services/: with the app's database and Temporal client, each
// Temporal call within the API's deadline, who asked, and a refusal answered as its problem.
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

/** The request's body signed by who asked (its API key), as the audit trail records them. */
export function askedBy<Body extends object>(request: {
  body: Body;
  apiKey: { id: string };
}): Body & { actor: string } {
  return { ...request.body, actor: request.apiKey.id };
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
