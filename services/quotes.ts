// Quotes: an estimate issued to its customer under its own number, valid until a date, with
// terms; the customer accepts it (starting the subscription it describes) or declines it
// through a signed link. Issuing inserts the numbered quote and starts its workflow in one
// transaction; answers go to that workflow, the one place that decides them, so a double submit
// never starts two subscriptions. Reading, listing and the document are plain reads.
import { getCustomer } from '../db/repositories/customers.ts';
import * as estimates from '../db/repositories/estimates.ts';
import { takeDocumentNumber } from '../db/repositories/number-series.ts';
import { getPlanByCode, getPlanVersion } from '../db/repositories/plans.ts';
import * as quotes from '../db/repositories/quotes.ts';
import type { NewQuote, QuoteRecord } from '../db/repositories/quotes.ts';
import type { Customer } from '../db/database.ts';
import { getSubscription } from '../db/repositories/subscriptions.ts';
import { customerNow, getTestClock } from '../db/repositories/test-clocks.ts';
import type { QuotedProjectStarter, QuotedSubscriptionStarter } from '../activities/quotes.ts';
import { getProject as findProject } from '../db/repositories/projects.ts';
import type { TaxSeller } from '../domain/tax/types.ts';
import { createProject, type CreateProjectOrder } from './projects.ts';
import { quoteViewOf } from '../documents/estimate-view.ts';
import type { NumberingSettings } from '../domain/invoicing/numbering.ts';
import {
  defaultValidUntil,
  QUOTE_NUMBER_FORMAT,
  subscriptionQuantityOf,
  type QuoteAnswer,
  type QuoteStatus,
} from '../domain/quotes/terms.ts';
import { quoteStartOptions } from '../temporal/quote-start.ts';
import { quoteWorkflowId } from '../workflow-contracts/ids.ts';
import { answerQuoteUpdate } from '../workflows/quote-messages.ts';
import type { quoteWorkflow } from '../workflows/quote.ts';
import { temporalCall, type PageRequest, type ServiceDependencies } from './dependencies.ts';
import type { EstimateDocumentDependencies, EstimateOrder } from './estimates.ts';
import { Refused } from './refused.ts';
import { createSubscription, type SubscriptionDependencies } from './subscriptions.ts';

export interface QuoteIssuingDependencies extends ServiceDependencies {
  /** The seller's zone picks the year of the quote's number series. */
  numbering: Pick<NumberingSettings, 'timezone'>;
}

export interface QuoteOrder {
  estimateId: string;
  /** ISO 8601 instant; default the end of the 30th day after issue in the customer's zone. */
  validUntil?: string | undefined;
  /** The seller's terms, printed on the quote. */
  terms?: string | undefined;
  /** A trial before the first paid period of the subscription the quote starts. */
  trialDays?: number | undefined;
}

function unprocessable(field: string, message: string): Refused {
  return new Refused('unprocessable', message, { field });
}

/**
 * Issues the estimate as a numbered quote to its customer and starts the quote's workflow (which
 * emails it, then waits for the answer or the end of its validity), in one transaction: the
 * quote exists only if its workflow started. Refused for an estimate without a customer, of an
 * inline plan, or with seat counts no single subscription bills.
 */
export async function issueQuote(
  deps: QuoteIssuingDependencies,
  order: QuoteOrder,
): Promise<QuoteRecord> {
  const { db } = deps;
  const estimate = await estimates.getEstimate(db, order.estimateId);
  if (!estimate) throw new Refused('not_found', `no estimate has id ${order.estimateId}`);
  if (!estimate.customerId) {
    throw unprocessable(
      'estimateId',
      'the estimate was priced without a customer: price it again with customerId to quote it',
    );
  }
  if (estimate.planCode === null || estimate.planVersion === null) {
    throw unprocessable(
      'estimateId',
      'the estimate priced an inline plan: save the plan in the catalog and estimate it by planCode to quote it',
    );
  }
  const customer = (await getCustomer(db, estimate.customerId))!;
  const plan = await getPlanByCode(db, estimate.planCode);
  const version = plan && (await getPlanVersion(db, plan, estimate.planVersion));
  if (!version) throw new Error(`estimate ${estimate.id} priced a missing plan version`);
  const request = estimate.request as EstimateOrder;
  const quantity = subscriptionQuantityOf(version.charges, request.quantities);
  if (quantity === null) {
    throw unprocessable(
      'estimateId',
      'the estimate priced its per-seat charges with different quantities; a subscription bills one quantity for all of them',
    );
  }
  return issueQuoteTo(deps, customer, order, {
    estimateId: estimate.id,
    terms: order.terms ?? null,
    planCode: estimate.planCode,
    planVersion: estimate.planVersion,
    quantity,
    trialDays: order.trialDays ?? null,
    anchoring: request.anchoring ?? null,
    couponCodes: request.couponCodes ?? [],
  });
}

/**
 * Numbers and inserts the quote of what it describes (a subscription, or a project) and starts
 * its workflow, in one transaction; refused for a validity not after the customer's now or while
 * their test clock advances.
 */
export async function issueQuoteTo(
  deps: QuoteIssuingDependencies,
  customer: Customer,
  order: Pick<QuoteOrder, 'validUntil'>,
  described: Omit<NewQuote, 'number' | 'customerId' | 'validUntil' | 'issuedAt'>,
): Promise<QuoteRecord> {
  const { db } = deps;
  const now = await customerNow(db, customer);
  let validUntil = defaultValidUntil(now, customer.timezone);
  if (order.validUntil !== undefined) {
    validUntil = new Date(order.validUntil);
    if (!Number.isFinite(validUntil.getTime()) || validUntil.getTime() <= now.getTime()) {
      throw unprocessable('validUntil', `must be an instant after now (${now.toISOString()})`);
    }
  }
  const clock = customer.test_clock_id ? await getTestClock(db, customer.test_clock_id) : undefined;
  if (clock && clock.status !== 'ready') {
    throw new Refused(
      'conflict',
      `The customer's test clock ${clock.id} is ${clock.status}; retry when ready.`,
    );
  }
  return db.transaction().execute(async (trx) => {
    const number = await takeDocumentNumber(
      trx,
      QUOTE_NUMBER_FORMAT,
      now,
      deps.numbering,
      customer.id,
    );
    const quote = await quotes.insertQuote(trx, {
      ...described,
      number,
      customerId: customer.id,
      validUntil,
      issuedAt: now,
    });
    try {
      await temporalCall(deps, () =>
        deps.temporal.workflow.start<typeof quoteWorkflow>(
          'quoteWorkflow',
          quoteStartOptions({
            quoteId: quote.id,
            customerId: customer.id,
            number,
            planCode: quote.planCode,
            describes: quote.project ? 'project' : 'subscription',
            validUntil: validUntil.toISOString(),
            ...(clock && { testClock: { id: clock.id, now: clock.frozen_time.toISOString() } }),
          }),
        ),
      );
    } catch (error) {
      throw new Refused(
        'unavailable',
        'Could not start the quote’s workflow; nothing was issued. Retry later.',
        { cause: error },
      );
    }
    return quote;
  });
}

export async function getQuote(deps: ServiceDependencies, id: string): Promise<QuoteRecord> {
  const quote = await quotes.getQuote(deps.db, id);
  if (!quote) throw new Refused('not_found', `no quote has id ${id}`);
  return quote;
}

/** A page of quotes, newest first. */
export async function listQuotes(
  deps: ServiceDependencies,
  query: PageRequest & { customerId?: string | undefined; status?: QuoteStatus | undefined },
): Promise<{ data: QuoteRecord[]; hasMore: boolean }> {
  const page = await quotes.listQuotes(deps.db, query);
  return { data: page.items, hasMore: page.hasMore };
}

/** The quote's document: its estimate, with number, validity, terms and where it stands. */
export async function quoteHtml(deps: EstimateDocumentDependencies, id: string): Promise<string> {
  return (await quoteDocument(deps, id)).html;
}

/** The quote, its document, and the language its customer reads (for the hosted page). */
export async function quoteDocument(
  deps: EstimateDocumentDependencies,
  id: string,
): Promise<{ quote: QuoteRecord; html: string; locale: string }> {
  const quote = await getQuote(deps, id);
  const estimate = (await estimates.getEstimate(deps.db, quote.estimateId))!;
  const customer = await getCustomer(deps.db, quote.customerId);
  const view = quoteViewOf(deps.documents, estimate, quote);
  return {
    quote,
    html: deps.documents.renderer.renderEstimateHtml(view),
    locale: customer?.locale ?? estimate.locale,
  };
}

/**
 * The customer's answer, through the quote's workflow: refused (as the workflow's conflict)
 * once the quote is answered or its validity has ended. Answers the quote as stored after it,
 * and the language its customer reads.
 */
export async function answerQuote(
  deps: ServiceDependencies,
  id: string,
  answer: QuoteAnswer,
): Promise<{ quote: QuoteRecord; locale: string }> {
  const quote = await getQuote(deps, id);
  if (quote.status !== 'open') {
    throw new Refused(
      'conflict',
      `Quote ${quote.number} is ${quote.status}: it can no longer be answered.`,
    );
  }
  const handle = deps.temporal.workflow.getHandle<typeof quoteWorkflow>(quoteWorkflowId(id));
  await temporalCall(deps, () => handle.executeUpdate(answerQuoteUpdate, { args: [answer] }));
  const customer = await getCustomer(deps.db, quote.customerId);
  return { quote: await getQuote(deps, id), locale: customer?.locale ?? 'en' };
}

/**
 * The quote activity's starter: the subscription an accepted quote describes, through the
 * subscription use case (POST /v1/subscriptions' own), under the id chosen at acceptance. A
 * retry finds it started. The runtime hands it to the worker's activities.
 */
export function quotedSubscriptionStarter(
  deps: SubscriptionDependencies,
): QuotedSubscriptionStarter {
  return async (quote) => {
    const id = quote.subscriptionId!;
    if (await getSubscription(deps.db, id)) return { outcome: 'started' };
    return startedOrRefused(() =>
      createSubscription(deps, {
        id,
        customerId: quote.customerId,
        planCode: quote.planCode!,
        planVersion: quote.planVersion!,
        quantity: quote.quantity,
        ...(quote.trialDays !== null && { trialDays: quote.trialDays }),
        ...(quote.anchoring && { anchoring: quote.anchoring }),
        couponCodes: quote.couponCodes,
        actor: `quote ${quote.number}`,
      }),
    );
  };
}

/** Started by the use case, or refused for good (with why); other failures are retried. */
async function startedOrRefused(
  start: () => Promise<unknown>,
): Promise<{ outcome: 'started' | 'refused'; detail?: string }> {
  try {
    await start();
    return { outcome: 'started' };
  } catch (error) {
    // What trying again cannot change; a conflict (a test clock advancing) or an outage can.
    if (error instanceof Refused && error.kind === 'unprocessable') {
      return { outcome: 'refused', detail: error.message };
    }
    throw error;
  }
}

/**
 * The quote activity's project starter: the project an accepted project quote describes, through
 * the project use case (POST /v1/projects' own), under the id chosen at acceptance. A retry finds
 * it started.
 */
export function quotedProjectStarter(
  deps: ServiceDependencies & { seller: TaxSeller },
): QuotedProjectStarter {
  return async (quote) => {
    const id = quote.projectId!;
    if (await findProject(deps.db, id)) return { outcome: 'started' };
    return startedOrRefused(() =>
      createProject(deps, {
        ...(quote.project as unknown as CreateProjectOrder),
        customerId: quote.customerId,
        id,
      }),
    );
  };
}
