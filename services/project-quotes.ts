// Project quotes: a project's terms (POST /v1/projects' own order) priced into a stored estimate,
// its deposit and milestones by the pure functions the project's invoices use, and issued as a
// quote in the one quote series: accepting it starts that project (services/quotes.ts'
// quotedProjectStarter, through createProject).
import { taxCustomerOf } from '../db/repositories/customers.ts';
import * as estimates from '../db/repositories/estimates.ts';
import type { QuoteRecord } from '../db/repositories/quotes.ts';
import { customerNow } from '../db/repositories/test-clocks.ts';
import { projectQuotePeriod } from '../domain/quotes/project-lines.ts';
import { toTaxLines } from '../domain/tax/provider.ts';
import { translate } from '../i18n/catalogue.ts';
import type { EstimateDependencies } from './estimates.ts';
import { checkProjectOrder, type CreateProjectOrder } from './projects.ts';
import { Refused } from './refused.ts';
import { issueQuoteTo, type QuoteIssuingDependencies, type QuoteOrder } from './quotes.ts';

export interface ProjectQuoteOrder extends Pick<QuoteOrder, 'validUntil' | 'terms'> {
  /** Exactly what POST /v1/projects takes. */
  project: CreateProjectOrder;
}

/** A refusal of the project's order, its fields named as sent here: under `project.`. */
function underProject(error: unknown): unknown {
  if (!(error instanceof Refused) || error.kind !== 'unprocessable') return error;
  const field = error.field && `project.${error.field}`;
  return new Refused('unprocessable', error.message, {
    ...(field && { field }),
    ...(error.issues && {
      issues: error.issues.map((i) => ({ ...i, field: `project.${i.field}` })),
    }),
  });
}

/**
 * Prices the project (refused as POST /v1/projects would refuse it, fields under `project.`),
 * stores it as an estimate and issues that as a quote describing the project.
 */
export async function issueProjectQuote(
  deps: QuoteIssuingDependencies & EstimateDependencies,
  order: ProjectQuoteOrder,
): Promise<QuoteRecord> {
  const { db, tax: taxSettings } = deps;
  const { project } = order;
  const { customer, terms, priced } = await checkProjectOrder(
    { ...deps, seller: taxSettings.seller },
    project,
  ).catch((error: unknown) => {
    throw underProject(error);
  });
  const now = await customerNow(db, customer);
  const rated = projectQuotePeriod(
    terms,
    priced,
    translate(customer.locale, 'projectquote.deposit'),
  );
  const tax = await taxSettings.provider.calculate({
    seller: taxSettings.seller,
    customer: taxCustomerOf(customer),
    currency: terms.currency,
    lines: toTaxLines(rated.netLines),
    supplyDate: now.toISOString(),
    taxBehavior: 'exclusive',
    rounding: taxSettings.rounding,
  });
  const estimate = await estimates.insertEstimate(db, {
    createdAt: now,
    customerId: customer.id,
    planCode: null,
    planVersion: null,
    planName: project.name,
    timezone: customer.timezone,
    locale: customer.locale,
    period: { start: now.toISOString(), end: now.toISOString() },
    request: { project },
    result: rated,
    tax,
  });
  return issueQuoteTo(deps, customer, order, {
    estimateId: estimate.id,
    terms: order.terms ?? null,
    planCode: null,
    planVersion: null,
    quantity: 0,
    trialDays: null,
    anchoring: null,
    couponCodes: [],
    project: { ...project },
  });
}
