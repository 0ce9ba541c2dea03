// The tax port. The built-in provider (built-in.ts) is one implementation; a company plugs in
// Stripe Tax, Avalara or its own service by implementing TaxProvider in an activity (network
// calls are I/O: they never run in a workflow). Whatever answers, its result is checked here
// before an invoice relies on it.
import { decimal, toDecimalString, type DecimalString } from '../core/decimal.ts';
import type { NetLine } from '../rating/types.ts';
import type { TaxCategory, TaxedLine, TaxLine, TaxRequest, TaxResult } from './types.ts';
import { taxDateOf } from './validation.ts';

export interface TaxProvider {
  /** Shown on the result and in audit trails: "built-in", "stripe-tax", "avalara". */
  readonly name: string;
  /** Throws TaxRequestError (validation.ts) for a request it cannot answer. */
  calculate(request: TaxRequest): Promise<TaxResult> | TaxResult;
}

/** A taxed line's rate in percent: its components' rates added ("20"; "14.975" for GST + QST). */
export function lineRatePercent(line: Pick<TaxedLine, 'components'>): DecimalString {
  return toDecimalString(line.components.reduce((r, c) => r.plus(decimal(c.rate)), decimal(0)));
}

/** RatedPeriod.netLines → the lines to tax, with each line's tax category. */
export function toTaxLines(
  netLines: readonly NetLine[],
  categoryOf: (lineId: string) => TaxCategory = () => 'standard',
): TaxLine[] {
  return netLines.map((l) => ({
    lineId: l.lineId,
    amount: l.amount,
    category: categoryOf(l.lineId),
  }));
}

/**
 * What is wrong with a provider's answer to `request` (empty when consistent): one line per
 * request line in the same order and currency; per line net + tax = gross, the price basis
 * respected (exclusive: net = amount; inclusive: gross = amount), no negative tax, components
 * summing to the line's tax; totals summing the lines; the breakdown summing to the total tax.
 */
export function checkTaxResult(request: TaxRequest, result: TaxResult): string[] {
  const problems: string[] = [];
  const { currency } = request;
  if (result.currency !== currency) problems.push(`currency ${result.currency} ≠ ${currency}`);
  if (result.lines.length !== request.lines.length) {
    problems.push(`${result.lines.length} lines for ${request.lines.length} requested`);
    return problems;
  }
  let net = 0;
  let tax = 0;
  let gross = 0;
  result.lines.forEach((line, i) => {
    const asked = request.lines[i]!;
    const at = `line ${asked.lineId}`;
    if (line.lineId !== asked.lineId) problems.push(`${at}: answered as ${line.lineId}`);
    for (const m of [line.netAmount, line.taxAmount, line.grossAmount]) {
      if (m.currency !== currency || !Number.isSafeInteger(m.amount)) {
        problems.push(`${at}: amounts must be integer minor units of ${currency}`);
      }
    }
    if (line.taxAmount.amount < 0) problems.push(`${at}: negative tax`);
    if (line.netAmount.amount + line.taxAmount.amount !== line.grossAmount.amount) {
      problems.push(`${at}: net + tax ≠ gross`);
    }
    const basis = request.taxBehavior === 'exclusive' ? line.netAmount : line.grossAmount;
    if (basis.amount !== asked.amount.amount) {
      problems.push(`${at}: ${request.taxBehavior} amount ${asked.amount.amount} not kept`);
    }
    const components = line.components.reduce((t, c) => t + c.taxAmount.amount, 0);
    if (components !== line.taxAmount.amount) problems.push(`${at}: components ≠ line tax`);
    net += line.netAmount.amount;
    tax += line.taxAmount.amount;
    gross += line.grossAmount.amount;
  });
  const { totals } = result;
  if (totals.net.amount !== net || totals.tax.amount !== tax || totals.gross.amount !== gross) {
    problems.push('totals do not sum the lines');
  }
  const breakdownTax = result.breakdown.reduce((t, b) => t + b.taxAmount.amount, 0);
  if (breakdownTax !== tax) problems.push('breakdown tax does not sum to the total tax');
  return problems;
}

/**
 * Whether two requests ask the provider the same question: the same seller, customer, currency,
 * lines, price basis and rounding, on the same tax date (the supply date's calendar day; its time
 * of day decides nothing). A result computed for one is then the answer to the other.
 */
export function sameTaxQuestion(a: TaxRequest, b: TaxRequest): boolean {
  const question = (r: TaxRequest) =>
    JSON.stringify({ ...r, supplyDate: taxDateOf(r.supplyDate) ?? r.supplyDate });
  return question(a) === question(b);
}
