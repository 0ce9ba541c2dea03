// The built-in tax provider: the rules of rules.ts, the dated rates of rates.ts, and exact
// arithmetic rounded once per line or once per rate. Pure and synchronous: it runs in the
// workflow sandbox as well as in activities.
//
// Amounts, per line with taxes at rates r₁…rₖ (percent, R = Σ rᵢ), amount A:
//   exclusive: base = A;               inclusive: base = A × 100 / (100 + R)
//   exact tax of each component = base × rᵢ / 100 (a fraction, never cut)
//   per_line: each (line, component) tax is rounded once;
//   per_rate: Σ of a rate's exact taxes over the invoice is rounded once, then allocated back
//             to its lines by largest remainder.
//   exclusive: net = A, gross = A + tax;  inclusive: gross = A, net = A − tax (so net + tax =
//   gross exactly, whatever the rounding).
import { decimal } from '../core/decimal.ts';
import { money } from '../core/money.ts';
import {
  allocateLargestRemainder,
  dividedBy,
  plus,
  ratioOf,
  round,
  times,
  ZERO_RATIO,
  type Ratio,
} from './arithmetic.ts';
import type { TaxProvider } from './provider.ts';
import { BUILT_IN_RATES } from './rate-table/table.ts';
import { planLine, type LinePlan } from './rules.ts';
import type {
  TaxBreakdownEntry,
  TaxComponent,
  TaxedLine,
  TaxNote,
  TaxRateTable,
  TaxRequest,
  TaxResult,
} from './types.ts';
import { TaxRequestError, taxDateOf, validateTaxRequest } from './validation.ts';

export const BUILT_IN_PROVIDER_NAME = 'built-in';

const HUNDRED = ratioOf(100);

const rateKey = (jurisdiction: string, taxName: string, rate: string) =>
  `${jurisdiction}\u0000${taxName}\u0000${decimal(rate).toFixed()}`;

/** Exact tax of each component of each line. */
function exactTaxes(request: TaxRequest, plans: readonly LinePlan[]): Ratio[][] {
  return request.lines.map((line, i) => {
    const { components } = plans[i]!;
    const amount = ratioOf(line.amount.amount);
    const totalRate = components.reduce((t, c) => plus(t, ratioOf(c.rate)), ZERO_RATIO);
    const base =
      request.taxBehavior === 'exclusive'
        ? amount
        : dividedBy(times(amount, HUNDRED), plus(HUNDRED, totalRate));
    return components.map((c) => dividedBy(times(base, ratioOf(c.rate)), HUNDRED));
  });
}

/** Rounded tax of each component of each line, per line or per rate. */
function roundTaxes(request: TaxRequest, plans: readonly LinePlan[], exact: Ratio[][]): number[][] {
  const { level, mode } = request.rounding;
  if (level === 'per_line') return exact.map((shares) => shares.map((s) => round(s, mode)));
  const groups = new Map<string, { at: [number, number][]; shares: Ratio[] }>();
  plans.forEach((plan, i) =>
    plan.components.forEach((c, j) => {
      const key = rateKey(c.jurisdiction, c.taxName, c.rate);
      const group = groups.get(key) ?? { at: [], shares: [] };
      group.at.push([i, j]);
      group.shares.push(exact[i]![j]!);
      groups.set(key, group);
    }),
  );
  const taxes = exact.map((shares) => shares.map(() => 0));
  for (const { at, shares } of groups.values()) {
    const total = round(
      shares.reduce((t, s) => plus(t, s), ZERO_RATIO),
      mode,
    );
    allocateLargestRemainder(total, shares).forEach((tax, k) => {
      const [i, j] = at[k]!;
      taxes[i]![j] = tax;
    });
  }
  return taxes;
}

/** Calculates the tax of a request with the built-in rules and `table`; throws TaxRequestError. */
export function calculateBuiltInTax(
  request: TaxRequest,
  table: TaxRateTable = BUILT_IN_RATES,
): TaxResult {
  const issues = validateTaxRequest(request);
  if (issues.length > 0) throw new TaxRequestError(issues);
  const date = taxDateOf(request.supplyDate)!;
  const { currency } = request;
  const plans = request.lines.map((line, i) =>
    planLine(
      {
        customer: request.customer,
        seller: request.seller,
        date,
        table,
        field: `lines[${i}].category`,
      },
      line.category,
    ),
  );
  const taxes = roundTaxes(request, plans, exactTaxes(request, plans));

  const lines: TaxedLine[] = request.lines.map((line, i) => {
    const plan = plans[i]!;
    const tax = taxes[i]!.reduce((a, b) => a + b, 0);
    const amount = line.amount.amount;
    const net = request.taxBehavior === 'exclusive' ? amount : amount - tax;
    if (net < 0) throw new RangeError(`tax ${tax} exceeds the gross amount ${amount}`);
    const components: TaxComponent[] = plan.components.map((c, j) => ({
      jurisdiction: c.jurisdiction,
      taxName: c.taxName,
      rate: decimal(c.rate).toFixed(),
      taxableAmount: money(net, currency),
      taxAmount: money(taxes[i]![j]!, currency),
    }));
    return {
      lineId: line.lineId,
      category: line.category,
      treatment: plan.treatment,
      jurisdiction: plan.jurisdiction,
      netAmount: money(net, currency),
      taxAmount: money(tax, currency),
      grossAmount: money(net + tax, currency),
      components,
    };
  });

  return {
    provider: BUILT_IN_PROVIDER_NAME,
    currency,
    taxDate: date,
    taxBehavior: request.taxBehavior,
    rounding: request.rounding,
    lines,
    breakdown: breakdownOf(lines, currency),
    totals: {
      net: money(
        lines.reduce((t, l) => t + l.netAmount.amount, 0),
        currency,
      ),
      tax: money(
        lines.reduce((t, l) => t + l.taxAmount.amount, 0),
        currency,
      ),
      gross: money(
        lines.reduce((t, l) => t + l.grossAmount.amount, 0),
        currency,
      ),
    },
    notes: notesOf(request, plans),
  };
}

/** The invoice's tax summary, in order of first appearance. */
export function breakdownOf(lines: readonly TaxedLine[], currency: string): TaxBreakdownEntry[] {
  const entries = new Map<
    string,
    {
      treatment: TaxBreakdownEntry['treatment'];
      jurisdiction: string;
      taxName: TaxBreakdownEntry['taxName'];
      rate: string;
      taxable: number;
      tax: number;
    }
  >();
  const add = (
    key: string,
    seed: Omit<TaxBreakdownEntry, 'taxableAmount' | 'taxAmount'>,
    taxable: number,
    tax: number,
  ) => {
    const entry = entries.get(key) ?? { ...seed, taxable: 0, tax: 0 };
    entry.taxable += taxable;
    entry.tax += tax;
    entries.set(key, entry);
  };
  for (const line of lines) {
    if (line.treatment !== 'taxable') {
      add(
        `${line.treatment}\u0000${line.jurisdiction}`,
        { treatment: line.treatment, jurisdiction: line.jurisdiction, taxName: null, rate: '0' },
        line.netAmount.amount,
        0,
      );
      continue;
    }
    for (const c of line.components) {
      add(
        rateKey(c.jurisdiction, c.taxName, c.rate),
        { treatment: 'taxable', jurisdiction: c.jurisdiction, taxName: c.taxName, rate: c.rate },
        c.taxableAmount.amount,
        c.taxAmount.amount,
      );
    }
  }
  return [...entries.values()].map(({ taxable, tax, ...rest }) => ({
    ...rest,
    taxableAmount: money(taxable, currency),
    taxAmount: money(tax, currency),
  }));
}

function notesOf(request: TaxRequest, plans: readonly LinePlan[]): TaxNote[] {
  const notes = new Map<string, TaxNote>();
  plans.forEach((plan, i) => {
    for (const { code, mention, params } of plan.notes) {
      const key = `${code}\u0000${mention}\u0000${JSON.stringify(params)}`;
      const note = notes.get(key) ?? { code, mention, params, lineIds: [] };
      note.lineIds.push(request.lines[i]!.lineId);
      notes.set(key, note);
    }
  });
  return [...notes.values()];
}

/** The built-in provider: synchronous, so workflows may call it directly. */
export interface BuiltInTaxProvider extends TaxProvider {
  calculate(request: TaxRequest): TaxResult;
}

export function createBuiltInTaxProvider(rates: TaxRateTable = BUILT_IN_RATES): BuiltInTaxProvider {
  return {
    name: BUILT_IN_PROVIDER_NAME,
    calculate: (request) => calculateBuiltInTax(request, rates),
  };
}
