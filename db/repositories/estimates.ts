// Stored estimates: the request as sent and the rated result, so an estimate reads the same
// every time it is shown.
import type { Db } from '../connect.ts';
import { newId } from '../ids.ts';
import type { RatedPeriod } from '../../domain/rating/types.ts';
import type { TaxResult } from '../../domain/tax/types.ts';

export interface NewEstimate {
  /** The estimate's date: the customer's now (a test clock's instant on a clocked customer). */
  createdAt: Date;
  customerId: string | null;
  planCode: string | null;
  planVersion: number | null;
  planName: string;
  timezone: string;
  locale: string;
  period: { start: string; end: string };
  request: unknown;
  result: RatedPeriod;
  /** Null when no customer was given: tax depends on where the customer is. */
  tax: TaxResult | null;
}

export interface EstimateRecord extends NewEstimate {
  id: string;
  customerName: string | null;
  customerCountry: string | null;
  /** The design the customer chose for their documents; null: the brand's. */
  documentDesign: string | null;
}

export async function insertEstimate(db: Db, estimate: NewEstimate): Promise<EstimateRecord> {
  const id = newId('est');
  await db
    .insertInto('estimates')
    .values({
      id,
      customer_id: estimate.customerId,
      plan_code: estimate.planCode,
      plan_version: estimate.planVersion,
      plan_name: estimate.planName,
      currency: estimate.result.currency,
      timezone: estimate.timezone,
      locale: estimate.locale,
      period_start: estimate.period.start,
      period_end: estimate.period.end,
      request: JSON.stringify(estimate.request),
      result: JSON.stringify(estimate.result),
      tax: estimate.tax ? JSON.stringify(estimate.tax) : null,
      total_before_tax: estimate.result.totalBeforeTax.amount,
      created_at: estimate.createdAt,
    })
    .execute();
  return (await getEstimate(db, id))!;
}

export async function getEstimate(db: Db, id: string): Promise<EstimateRecord | undefined> {
  const row = await db
    .selectFrom('estimates')
    .leftJoin('customers', 'customers.id', 'estimates.customer_id')
    .selectAll('estimates')
    .select([
      'customers.name as customer_name',
      'customers.country as customer_country',
      'customers.document_design',
    ])
    .where('estimates.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    customerCountry: row.customer_country,
    documentDesign: row.document_design,
    planCode: row.plan_code,
    planVersion: row.plan_version,
    planName: row.plan_name,
    timezone: row.timezone,
    locale: row.locale,
    period: { start: row.period_start.toISOString(), end: row.period_end.toISOString() },
    request: row.request,
    result: row.result as RatedPeriod,
    tax: (row.tax as TaxResult | null) ?? null,
    createdAt: row.created_at,
  };
}
