// The one mapping from a Temporal client failure to the problem a client sees, for every route
// whose use case calls a workflow: the workflow refused the update (409), has ended (409), did
// not answer in time or could not be reached (503). A use case's business refusals arrive as
// Refused instead (services/refused.ts); anything else is ours, answered as a 500.
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { isTemporalUnavailable } from '../services/temporal-errors.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';
import { conflict, serviceUnavailable, type Problem } from './problem.ts';

/** Whose workflow a call went to, in the words its problems use. */
export interface WorkflowSubject {
  /** The resource, as a detail names it: "subscription". */
  name: string;
  /** The 409's detail once its workflow has ended. */
  ended: string;
}

export const SUBSCRIPTION_WORKFLOW: WorkflowSubject = {
  name: 'subscription',
  ended: 'The subscription is canceled: its billing workflow has ended.',
};

export const PROJECT_WORKFLOW: WorkflowSubject = {
  name: 'project',
  ended: 'The project’s workflow has ended.',
};

const ANY_WORKFLOW: WorkflowSubject = { name: 'resource', ended: 'Its workflow has ended.' };

// Temporal reports an update to a closed run as a service error that says so, not as not-found.
function mentionsCompleted(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/already completed/i.test(e.message)) return true;
  }
  return false;
}

/**
 * The problem for a failed call to `subject`'s workflow; undefined when the failure is ours (the
 * workflow failed the update for another reason, or not Temporal at all), to answer as a 500.
 */
export function temporalProblem(
  error: unknown,
  subject: WorkflowSubject = ANY_WORKFLOW,
): Problem | undefined {
  if (error instanceof WorkflowUpdateFailedError) {
    const { cause } = error;
    // Every workflow's update validator refuses an impossible transition with this type.
    if (cause instanceof ApplicationFailure && cause.type === INVALID_TRANSITION) {
      return conflict(cause.message);
    }
    return undefined;
  }
  if (error instanceof WorkflowNotFoundError || mentionsCompleted(error)) {
    return conflict(subject.ended);
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return serviceUnavailable(
      `The ${subject.name}’s workflow did not answer in time; the change may still take effect. Check the ${subject.name} before retrying.`,
      error,
    );
  }
  if (isTemporalUnavailable(error)) {
    return serviceUnavailable('Temporal is unavailable; retry later.', error);
  }
  return undefined;
}
