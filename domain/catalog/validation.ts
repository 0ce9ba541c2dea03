// Validation of catalog input (parsed JSON, so `unknown`): every problem as an Issue with a
// dotted path ("charges[1].pricing.tiers[2].upTo") that the API turns into a 422 problem+json.
// An input with no issues is a well-formed PlanVersion (or Coupon) the rating engine accepts.
//
// Timing rules: usage charges are billed in arrears (usage is only known once the period has
// closed). Flat and per-seat charges may be billed either way: in advance is the usual
// subscription; in arrears suits post-paid contracts (a platform fee, or the seats counted at
// the end of the period), so both are accepted.
import { isCurrencyCode } from '../core/currency.ts';
import { BILLING_TIMINGS, CHARGE_TYPES, PRICING_MODELS, TAX_BEHAVIORS } from './types.ts';
import { decimal, isDecimalString } from '../core/decimal.ts';
import { MAX_AMOUNT } from '../core/money.ts';
import { INTERVALS } from '../core/periods.ts';

export interface Issue {
  field: string;
  message: string;
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

class Checker {
  readonly issues: Issue[] = [];

  add(field: string, message: string): void {
    this.issues.push({ field, message });
  }

  object(v: unknown, field: string): Obj | undefined {
    if (isObject(v)) return v;
    this.add(field, 'must be an object');
    return undefined;
  }

  text(v: unknown, field: string): string | undefined {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.add(field, 'must be a non-empty string');
    return undefined;
  }

  oneOf<T extends string>(v: unknown, options: readonly T[], field: string): T | undefined {
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    this.add(field, `must be one of ${options.join(', ')}`);
    return undefined;
  }

  positiveInteger(v: unknown, field: string): number | undefined {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) return v;
    this.add(field, 'must be a positive integer');
    return undefined;
  }

  /** A decimal string ≥ 0 (or > 0), returned for comparisons; optional when `v` is absent. */
  amount(
    v: unknown,
    field: string,
    { optional = false, positive = false, integer = false } = {},
  ): ReturnType<typeof decimal> | undefined {
    if (v === undefined && optional) return undefined;
    if (!isDecimalString(v)) {
      this.add(field, 'must be a decimal string, e.g. "12" or "0.0006"');
      return undefined;
    }
    const d = decimal(v);
    if (positive ? d.lte(0) : d.lt(0)) {
      this.add(field, positive ? 'must be greater than 0' : 'must not be negative');
      return undefined;
    }
    if (d.gt(MAX_AMOUNT)) {
      this.add(field, `must be at most ${MAX_AMOUNT}`);
      return undefined;
    }
    if (integer && !d.round(0, 0).eq(d)) {
      this.add(field, 'must be a whole number');
      return undefined;
    }
    return d;
  }

  minMax(min: unknown, max: unknown, minField: string, maxField: string): void {
    const lo = this.amount(min, minField, { optional: true });
    const hi = this.amount(max, maxField, { optional: true });
    if (lo && hi && lo.gt(hi)) this.add(minField, `must not exceed ${maxField.split('.').pop()}`);
  }
}

/** Tier fields by model: a field of another model's tiers is reported, never ignored. */
const TIER_PRICE = { graduated: 'unitPrice', volume: 'unitPrice', graduated_percentage: 'rate' };
type TieredModel = keyof typeof TIER_PRICE;

/**
 * Tiers are contiguous by construction: the first starts at 0, each starts where the previous
 * ends (`upTo`, inclusive, strictly increasing), and only the last is open-ended.
 */
function checkTiers(c: Checker, tiers: unknown, field: string, model: TieredModel): void {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    c.add(field, 'must be a non-empty array of tiers');
    return;
  }
  const priceField = TIER_PRICE[model];
  let previous = decimal(0);
  tiers.forEach((raw, i) => {
    const at = `${field}[${i}]`;
    const tier = c.object(raw, at);
    if (!tier) return;
    const last = i === tiers.length - 1;
    if (tier.upTo === null || tier.upTo === undefined) {
      if (!last) c.add(`${at}.upTo`, 'only the last tier may be unbounded (null)');
    } else if (last) {
      c.add(`${at}.upTo`, 'the last tier must be unbounded (null)');
    } else {
      const upTo = c.amount(tier.upTo, `${at}.upTo`, { positive: true });
      if (upTo) {
        if (upTo.lte(previous)) {
          c.add(
            `${at}.upTo`,
            `must be greater than the previous tier's upTo (${previous.toFixed()})`,
          );
        } else previous = upTo;
      }
    }
    const price = c.amount(tier[priceField], `${at}.${priceField}`);
    if (priceField === 'rate' && price?.gt(100)) {
      c.add(`${at}.rate`, 'must be a percentage between 0 and 100');
    }
    c.amount(tier.flatFee, `${at}.flatFee`, { optional: true });
    for (const key of Object.keys(tier)) {
      if (!['upTo', priceField, 'flatFee'].includes(key))
        c.add(`${at}.${key}`, `not a field of ${model} tiers`);
    }
  });
}

function checkPricing(c: Checker, raw: unknown, field: string, chargeFreeUnits: boolean): void {
  const pricing = c.object(raw, field);
  if (!pricing) return;
  const model = c.oneOf(pricing.model, PRICING_MODELS, `${field}.model`);
  const blocks = model === 'per_unit' || model === 'graduated' || model === 'volume';
  if (model !== undefined && !blocks && pricing.blockSize !== undefined) {
    const hint = model === 'package' ? ' (package pricing is billed in blocks already)' : '';
    c.add(`${field}.blockSize`, `block rounding is for per_unit, graduated and volume${hint}`);
  }
  switch (model) {
    case undefined:
      return;
    case 'per_unit':
      c.amount(pricing.unitPrice, `${field}.unitPrice`);
      c.amount(pricing.blockSize, `${field}.blockSize`, { optional: true, positive: true });
      return;
    case 'graduated':
    case 'volume':
      checkTiers(c, pricing.tiers, `${field}.tiers`, model);
      c.amount(pricing.blockSize, `${field}.blockSize`, { optional: true, positive: true });
      return;
    case 'graduated_percentage':
      checkTiers(c, pricing.tiers, `${field}.tiers`, model);
      return;
    case 'package':
      c.amount(pricing.packageSize, `${field}.packageSize`, { positive: true });
      c.amount(pricing.packagePrice, `${field}.packagePrice`);
      c.amount(pricing.freeUnits, `${field}.freeUnits`, { optional: true });
      if (pricing.freeUnits !== undefined && chargeFreeUnits) {
        c.add(`${field}.freeUnits`, 'set free units on the charge or on the package, not both');
      }
      return;
    case 'percentage': {
      const rate = c.amount(pricing.rate, `${field}.rate`);
      if (rate?.gt(100)) c.add(`${field}.rate`, 'must be a percentage between 0 and 100');
      c.amount(pricing.fixedFeePerTransaction, `${field}.fixedFeePerTransaction`, {
        optional: true,
      });
      c.minMax(
        pricing.minPerTransaction,
        pricing.maxPerTransaction,
        `${field}.minPerTransaction`,
        `${field}.maxPerTransaction`,
      );
      c.amount(pricing.freeTransactions, `${field}.freeTransactions`, {
        optional: true,
        integer: true,
      });
      c.amount(pricing.freeAmount, `${field}.freeAmount`, { optional: true });
      return;
    }
  }
}

function checkCharge(
  c: Checker,
  raw: unknown,
  at: string,
  knownMetricCodes: ReadonlySet<string>,
): string | undefined {
  const charge = c.object(raw, at);
  if (!charge) return undefined;
  const key = c.text(charge.key, `${at}.key`);
  if (key !== undefined && !KEY.test(key)) {
    c.add(
      `${at}.key`,
      'must be 1–64 letters, digits, "_", "." or "-", starting with a letter or digit',
    );
  }
  c.text(charge.description, `${at}.description`);
  const billing = c.oneOf(charge.billing, BILLING_TIMINGS, `${at}.billing`);
  const type = c.oneOf(charge.type, CHARGE_TYPES, `${at}.type`);
  c.amount(charge.freeUnits, `${at}.freeUnits`, { optional: true });
  c.minMax(charge.minimum, charge.maximum, `${at}.minimum`, `${at}.maximum`);
  switch (type) {
    case 'flat':
      c.amount(charge.amount, `${at}.amount`);
      if (charge.freeUnits !== undefined) c.add(`${at}.freeUnits`, 'a flat charge has no units');
      if (charge.minimum !== undefined) c.add(`${at}.minimum`, 'a flat charge has a fixed amount');
      if (charge.maximum !== undefined) c.add(`${at}.maximum`, 'a flat charge has a fixed amount');
      break;
    case 'per_seat':
      c.amount(charge.unitAmount, `${at}.unitAmount`);
      break;
    case 'usage': {
      if (billing === 'advance') {
        c.add(`${at}.billing`, 'usage is known only when the period closes: bill it in arrears');
      }
      const metric = c.text(charge.metricCode, `${at}.metricCode`);
      if (metric !== undefined && !knownMetricCodes.has(metric)) {
        c.add(`${at}.metricCode`, `unknown billable metric "${metric}"`);
      }
      checkPricing(c, charge.pricing, `${at}.pricing`, charge.freeUnits !== undefined);
      if (
        isObject(charge.pricing) &&
        charge.pricing.model === 'percentage' &&
        charge.freeUnits !== undefined
      ) {
        c.add(`${at}.freeUnits`, 'percentage pricing uses freeTransactions or freeAmount');
      }
      break;
    }
    case undefined:
      break;
  }
  return key;
}

/** Everything wrong with a plan version; empty when it can be stored and rated. */
export function validatePlanVersion(
  input: unknown,
  knownMetricCodes: ReadonlySet<string>,
): Issue[] {
  const c = new Checker();
  const plan = c.object(input, '');
  if (!plan) return c.issues;
  c.text(plan.planCode, 'planCode');
  c.positiveInteger(plan.version, 'version');
  if (typeof plan.currency !== 'string' || !isCurrencyCode(plan.currency)) {
    c.add('currency', 'must be an ISO 4217 currency code, e.g. EUR');
  }
  const cycle = c.object(plan.billingCycle, 'billingCycle');
  if (cycle) {
    c.oneOf(cycle.interval, INTERVALS, 'billingCycle.interval');
    c.positiveInteger(cycle.intervalCount, 'billingCycle.intervalCount');
  }
  c.oneOf(plan.taxBehavior, TAX_BEHAVIORS, 'taxBehavior');
  c.amount(plan.minimumCommitment, 'minimumCommitment', { optional: true });
  if (!Array.isArray(plan.charges) || plan.charges.length === 0) {
    c.add('charges', 'must be a non-empty array of charges');
    return c.issues;
  }
  const seen = new Set<string>();
  plan.charges.forEach((raw, i) => {
    const key = checkCharge(c, raw, `charges[${i}]`, knownMetricCodes);
    if (key === undefined) return;
    if (seen.has(key)) c.add(`charges[${i}].key`, `duplicate charge key "${key}"`);
    seen.add(key);
  });
  return c.issues;
}

/** Everything wrong with a coupon; `chargeKeys` (of the plan it is for) checks a charge scope. */
export function validateCoupon(input: unknown, chargeKeys?: ReadonlySet<string>): Issue[] {
  const c = new Checker();
  const coupon = c.object(input, '');
  if (!coupon) return c.issues;
  c.text(coupon.code, 'code');
  c.text(coupon.description, 'description');
  const value = c.object(coupon.value, 'value');
  if (value) {
    const type = c.oneOf(value.type, ['percentage', 'fixed'] as const, 'value.type');
    if (type === 'percentage') {
      const percent = c.amount(value.percent, 'value.percent');
      if (percent?.gt(100)) c.add('value.percent', 'must be a percentage between 0 and 100');
    } else if (type === 'fixed') {
      const amount = c.object(value.amount, 'value.amount');
      if (amount) {
        const minor = amount.amount;
        if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || minor <= 0) {
          c.add('value.amount.amount', 'must be a positive integer of minor units');
        } else if (minor > MAX_AMOUNT) {
          c.add('value.amount.amount', `must be at most ${MAX_AMOUNT}`);
        }
        if (typeof amount.currency !== 'string' || !isCurrencyCode(amount.currency)) {
          c.add('value.amount.currency', 'must be an ISO 4217 currency code');
        }
      }
    }
  }
  const duration = c.object(coupon.duration, 'duration');
  if (duration) {
    const type = c.oneOf(duration.type, ['once', 'repeating', 'forever'] as const, 'duration.type');
    if (type === 'repeating') c.positiveInteger(duration.periods, 'duration.periods');
  }
  const scope = c.object(coupon.appliesTo, 'appliesTo');
  if (scope) {
    const type = c.oneOf(scope.type, ['subtotal', 'charges'] as const, 'appliesTo.type');
    if (type === 'charges') {
      if (!Array.isArray(scope.chargeKeys) || scope.chargeKeys.length === 0) {
        c.add('appliesTo.chargeKeys', 'must be a non-empty array of charge keys');
      } else {
        scope.chargeKeys.forEach((k, i) => {
          if (typeof k !== 'string' || (chargeKeys && !chargeKeys.has(k))) {
            c.add(`appliesTo.chargeKeys[${i}]`, `unknown charge key ${JSON.stringify(k)}`);
          }
        });
      }
    }
  }
  return c.issues;
}
