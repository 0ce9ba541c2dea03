// One quote's life: emailed to the customer with its signed acceptance link, then a durable
// wait for the answer or the end of its validity (a Temporal timer, or the test clock). The
// workflow is the one place an answer is decided: its update validator refuses a second answer
// and an answer after the validity, so a double submit never starts two subscriptions. Accepting
// records the answer (with its quote.accepted event) and starts the subscription the quote
// describes, each activity idempotent by the quote's id; expiring marks the quote expired (with
// quote.expired) and tells the operator.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { QuoteActivities } from '../activities/quotes.ts';
import type { QuoteAnswer } from '../domain/quotes/terms.ts';
import { INVALID_TRANSITION, QUOTED_SUBSCRIPTION_REFUSED } from '../workflow-contracts/names.ts';
import { BillingStatus } from '../workflow-contracts/search-attributes.ts';
import { quickStep } from './activity-options.ts';
import { workflowClock } from './clock.ts';
import {
  answerQuoteUpdate,
  quoteStateQuery,
  type QuoteWorkflowInput,
  type QuoteWorkflowState,
} from './quote-messages.ts';

const {
  emailQuote,
  recordQuoteAnswer,
  startQuotedSubscription,
  startQuotedProject,
  expireQuote,
  notifyQuoteOperator,
} = proxyActivities<QuoteActivities>(quickStep);

function refused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: INVALID_TRANSITION, message, nonRetryable: true });
}

/** The non-retryable failure an activity ended with, if that is why it failed. */
function finalFailure(error: unknown): ApplicationFailure | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? error.cause
    : undefined;
}

export async function quoteWorkflow(input: QuoteWorkflowInput): Promise<QuoteWorkflowState> {
  const clock = workflowClock(input.testClock);
  const { quoteId, number } = input;
  const validUntil = Date.parse(input.validUntil);
  const state: QuoteWorkflowState = { status: 'open', subscriptionId: null, startRefused: null };

  const settle = (status: QuoteWorkflowState['status'], details: string) => {
    state.status = status;
    upsertSearchAttributes([{ key: BillingStatus, value: `quote_${status}` }]);
    setCurrentDetails(details);
  };

  setHandler(quoteStateQuery, () => state);
  setHandler(
    answerQuoteUpdate,
    async (answer: QuoteAnswer) => {
      state.status = 'answering';
      const { subscriptionId, projectId } = await recordQuoteAnswer.executeWithOptions(
        {
          summary: `Record quote ${number} ${answer.decision === 'accept' ? 'accepted' : 'declined'}`,
        },
        [{ quoteId, answer }],
      );
      if (answer.decision === 'decline') {
        // No names or free text in details: finance sees them in the UI, unencrypted.
        settle('declined', `Quote ${number} declined`);
        return { ...state };
      }
      state.subscriptionId = subscriptionId;
      try {
        if (input.describes === 'project') {
          // The project's id was chosen with the answer: a retry or replay starts the same one.
          state.projectId = projectId ?? null;
          await startQuotedProject.executeWithOptions(
            { summary: `Start project ${projectId} of quote ${number}` },
            [{ quoteId }],
          );
          settle('accepted', `Quote ${number} accepted; project ${projectId} started`);
          return { ...state };
        }
        await startQuotedSubscription.executeWithOptions(
          { summary: `Start subscription ${subscriptionId} of quote ${number}` },
          [{ quoteId }],
        );
        settle('accepted', `Quote ${number} accepted; subscription ${subscriptionId} started`);
      } catch (error) {
        const failure = finalFailure(error);
        if (failure?.type !== QUOTED_SUBSCRIPTION_REFUSED) throw error;
        // Accepted all the same (the customer's answer stands): the operator takes it from here.
        state.startRefused = failure.message;
        await notifyQuoteOperator.executeWithOptions(
          { summary: `Tell the operator quote ${number}'s subscription could not start` },
          [{ quoteId, notice: 'start_refused', detail: failure.message }],
        );
        settle(
          'accepted',
          `Quote ${number} accepted; its subscription was refused: ${failure.message}`,
        );
      }
      return { ...state };
    },
    {
      validator: (_answer: QuoteAnswer) => {
        if (state.status === 'open' && clock.now() > validUntil) {
          throw refused(
            `Quote ${number} expired at ${input.validUntil}: it can no longer be answered.`,
          );
        }
        if (state.status === 'answering')
          throw refused(`Quote ${number} is already being answered.`);
        if (state.status !== 'open')
          throw refused(`Quote ${number} is ${state.status}: it can no longer be answered.`);
      },
    },
  );

  setCurrentDetails(`Quote ${number} open until ${input.validUntil}`);
  try {
    await emailQuote.executeWithOptions(
      { summary: `Email quote ${number} with its acceptance link` },
      [{ quoteId }],
    );
  } catch (error) {
    // No link can be sent (no signing secret, a rejected address): the quote still expires.
    if (!finalFailure(error)) throw error;
    log.warn('quote not emailed', { quoteId, error: String(error) });
  }

  // Answerable up to and including validUntil; expired the millisecond after.
  const expiresAt = validUntil + 1;
  if (clock.now() < expiresAt) {
    await clock.sleepUntil(
      expiresAt,
      () => state.status !== 'open',
      `Quote ${number} valid until ${input.validUntil}`,
    );
  }
  if (state.status === 'open') {
    settle('expired', `Quote ${number} expired at ${input.validUntil}`);
    await expireQuote.executeWithOptions({ summary: `Mark quote ${number} expired` }, [
      { quoteId },
    ]);
    await notifyQuoteOperator.executeWithOptions(
      { summary: `Tell the operator quote ${number} expired` },
      [{ quoteId, notice: 'expired' }],
    );
  } else {
    await condition(() => state.status === 'accepted' || state.status === 'declined');
  }
  // Ended first: a test clock's advance waiting on this run answers once it knows it is over.
  clock.end('finished');
  await condition(allHandlersFinished);
  return state;
}
