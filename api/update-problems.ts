// A Temporal update refused or unanswered, as the problem an operator sees: the subscription's
// and the project's workflows refuse by ApplicationFailure type, Temporal may be unreachable.
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import {
  INVALID_CHANGE_ORDER,
  MILESTONE_CONFLICT,
  UNKNOWN_MILESTONE,
} from '../workflows/project-messages.ts';
import { INVALID_TRANSITION } from '../workflow-contracts/names.ts';
import { isTemporalUnavailable } from '../services/temporal-errors.ts';
import { conflict, notFound, serviceUnavailable, unprocessable, type Problem } from './problem.ts';

function mentionsCompleted(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/already completed/i.test(e.message)) return true;
  }
  return false;
}

/**
 * The problem an operator should see for a failed pause/resume/cancel; undefined when the
 * failure is ours (e.g. the workflow failed the update for another reason), to answer as a 500.
 */
export function updateProblem(error: unknown): Problem | undefined {
  if (error instanceof WorkflowUpdateFailedError) {
    const { cause } = error;
    if (cause instanceof ApplicationFailure && cause.type === INVALID_TRANSITION) {
      return conflict(cause.message);
    }
    return undefined;
  }
  if (error instanceof WorkflowNotFoundError || mentionsCompleted(error)) {
    return conflict('The subscription is canceled: its billing workflow has ended.');
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return serviceUnavailable(
      'The subscription’s workflow did not answer in time; the change may still take effect. Check the subscription before retrying.',
      error,
    );
  }
  if (isTemporalUnavailable(error)) {
    return serviceUnavailable('Temporal is unavailable; retry later.', error);
  }
  return undefined;
}

/** A refused project update as a problem: 404, 409 or 422 naming the field. */
export function projectUpdateProblem(error: unknown): Problem | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const { type, message } = error.cause;
    const field = typeof error.cause.details?.[0] === 'string' ? error.cause.details[0] : undefined;
    if (type === UNKNOWN_MILESTONE) return notFound(message);
    if (type === MILESTONE_CONFLICT) {
      return field ? unprocessable(field, message) : conflict(message);
    }
    if (type === INVALID_CHANGE_ORDER) {
      return unprocessable(field ?? 'change', message.replace(/^[^:]*: /, ''));
    }
  }
  if (error instanceof WorkflowNotFoundError) return conflict('The project’s workflow has ended.');
  return updateProblem(error);
}
