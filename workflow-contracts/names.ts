// Names a workflow and the code outside it both read: a failure type the callers of an update
// switch on, a placeholder an activity fills in.

/** ApplicationFailure type of a rejected update: the request conflicts with the state. */
export const INVALID_TRANSITION = 'InvalidTransition';

/**
 * Stands for the project's name in texts the workflow hands to activities (operator notices,
 * invoice lines): the activity writes the name in from the database, so it is never in history.
 */
export const PROJECT_NAME = '{project}';

/** ApplicationFailure type of an accepted quote whose subscription the use case refused. */
export const QUOTED_SUBSCRIPTION_REFUSED = 'QuotedSubscriptionRefused';
