// Wire schemas of the pricing catalog (domain/catalog/types.ts), and the plan routes' bodies and
// answers. They check the shape only: which
// fields a charge or pricing model needs depends on its `type` / `model`, and those rules,
// with every amount and tier check, live in domain/catalog-validation.ts, whose issues are
// answered as 422 naming the field (`charges[0].pricing.tiers[1].upTo`). Keeping the wire
// schema flat also keeps schema errors pointing at the field instead of "matches no variant".
import { BillingThreshold, BillingThresholdValue, THRESHOLD_DESCRIPTION } from './thresholds.ts';
import { Type } from 'typebox';
import {
  flatAdvancePrice,
  type PlanWithVersion,
  type StoredPlanVersion,
} from '../../db/repositories/plans.ts';
import {
  BILLING_TIMINGS,
  CHARGE_TYPES,
  PRICING_MODELS,
  TAX_BEHAVIORS,
} from '../../domain/catalog/types.ts';
import { INTERVALS } from '../../domain/core/periods.ts';
import type { SentCharges } from '../../services/catalog.ts';
import { Problem } from '../problem.ts';
import { CodeCursorQuery, CurrencyCode, iso, Money, Timestamp } from './common.ts';

/** Signed, so a negative price is a 422 from the catalog rules, not a format error. */
export const Decimal = Type.String({
  pattern: '^-?\\d+(\\.\\d+)?$',
  maxLength: 64,
  description: 'An exact decimal number as a string, e.g. "4900" or "0.06". Never a float.',
  examples: ['4900'],
});

const MinorUnits = (description: string) =>
  Type.Optional({ ...Decimal, description: `${description} Decimal string of minor units.` });
const Units = (description: string) =>
  Type.Optional({ ...Decimal, description: `${description} Decimal string of units.` });

export const TierSchema = Type.Object(
  {
    upTo: Type.Union([Decimal, Type.Null()], {
      description:
        'Inclusive upper bound, increasing from tier to tier; null for the last tier (and only the last). ' +
        'The first tier starts at 0 and each starts where the previous ends. graduated_percentage: minor units of volume.',
    }),
    unitPrice: Type.Optional({
      ...Decimal,
      description: 'graduated and volume: price of each unit in the tier, in minor units.',
    }),
    rate: Type.Optional({
      ...Decimal,
      description:
        'graduated_percentage: percent, 0–100, of the volume inside the tier, e.g. "1.5".',
    }),
    flatFee: MinorUnits(
      'Added once when the quantity falls into (graduated, graduated_percentage) or reaches (volume) the tier.',
    ),
  },
  { additionalProperties: false, title: 'Tier' },
);

export const PricingSchema = Type.Object(
  {
    model: Type.Enum([...PRICING_MODELS], {
      description:
        'per_unit: `unitPrice` × units. graduated: each `tiers` entry prices the units inside it. ' +
        'volume: the tier the total reaches prices every unit. package: `packagePrice` per started ' +
        '`packageSize` units. percentage: `rate` % of each transaction amount, plus optional fees and allowances ' +
        '(free transactions and free amount end when either runs out). graduated_percentage: each `tiers` entry ' +
        'takes its `rate` % of the part of the period’s transaction volume (a sum metric, minor units) inside ' +
        'it, plus its `flatFee` once the volume reaches it. per_unit, graduated and volume take an optional ' +
        '`blockSize`: units are billed per started block, counted from each tier’s lower bound.',
    }),
    unitPrice: MinorUnits('per_unit: price of one unit.'),
    tiers: Type.Optional(
      Type.Array(TierSchema, {
        description: 'graduated, volume and graduated_percentage: the tiers.',
      }),
    ),
    blockSize: Units(
      'per_unit, graduated and volume: bill per started block of this many units, per tier ' +
        '(never past the tier’s upper bound), after free units.',
    ),
    packageSize: Units('package: units per package.'),
    packagePrice: MinorUnits('package: price of each started package.'),
    freeUnits: Units('package: units free before packaging.'),
    rate: Type.Optional({ ...Decimal, description: 'percentage: percent, 0–100, e.g. "2.9".' }),
    fixedFeePerTransaction: MinorUnits('percentage: added to each chargeable transaction.'),
    minPerTransaction: MinorUnits('percentage: floor of each transaction’s fee.'),
    maxPerTransaction: MinorUnits('percentage: cap of each transaction’s fee.'),
    freeTransactions: Units(
      'percentage: the first N transactions of the period are free (until the free amount runs out).',
    ),
    freeAmount: MinorUnits(
      'percentage: this much transaction volume per period is free (until the free transactions run out).',
    ),
  },
  { additionalProperties: false, title: 'Pricing' },
);

export const ChargeSchema = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'Unique within the plan; names the invoice line. Letters, digits, `_`, `.`, `-`.',
      examples: ['base'],
    }),
    description: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Shown on the invoice line, e.g. "API calls".',
    }),
    type: Type.Enum([...CHARGE_TYPES], {
      description:
        'flat: `amount` every period. per_seat: `unitAmount` × the subscription’s quantity. ' +
        'usage: `pricing` applied to the period’s usage of `metricCode`.',
    }),
    billing: Type.Enum([...BILLING_TIMINGS], {
      description: 'advance: billed when the period opens; arrears: when it closes (usage always).',
    }),
    amount: MinorUnits('flat: the amount per period.'),
    unitAmount: MinorUnits('per_seat: the price of one seat per period.'),
    metricCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'usage: the billable metric’s code.',
      }),
    ),
    pricing: Type.Optional(PricingSchema),
    freeUnits: Units('per_seat and usage: units not billed each period.'),
    minimum: MinorUnits('per_seat and usage: minimum spend on this charge per period.'),
    maximum: MinorUnits('per_seat and usage: cap on this charge per period.'),
  },
  { additionalProperties: false, title: 'Charge' },
);

export const TaxBehaviorSchema = Type.Enum([...TAX_BEHAVIORS], {
  description: 'Whether prices exclude tax (added on top) or include it (default exclusive).',
});

export const MinimumCommitment = {
  ...Decimal,
  description: 'Minimum spend per period, in minor units: a shortfall is billed as a true-up line.',
};

export const DiscountValueSchema = Type.Object(
  {
    type: Type.Enum(['percentage', 'fixed'], {
      description: 'percentage: `percent` off; fixed: `amount` off per period.',
    }),
    percent: Type.Optional({ ...Decimal, description: 'percentage: 0–100, e.g. "12.5".' }),
    amount: Type.Optional({
      ...Money,
      description: 'fixed: the amount off, in the currency of the plans it may apply to.',
    }),
  },
  { additionalProperties: false },
);

export const CouponDurationSchema = Type.Object(
  {
    type: Type.Enum(['once', 'repeating', 'forever'], {
      description: 'once: the first period; repeating: the first `periods`; forever.',
    }),
    periods: Type.Optional(
      // Bounded so the count fits its integer column: 1,200 months is a century.
      Type.Integer({
        minimum: 1,
        maximum: 1200,
        description: 'repeating: how many periods (1 to 1,200).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DiscountScopeSchema = Type.Object(
  {
    type: Type.Enum(['subtotal', 'charges'], {
      description: 'subtotal: every line; charges: only the lines of `chargeKeys`.',
    }),
    chargeKeys: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }))),
  },
  { additionalProperties: false },
);

const PLAN_CODE_PATTERN = '^[a-z0-9][a-z0-9_-]{1,62}$';

const PlanCode = Type.String({
  pattern: PLAN_CODE_PATTERN,
  description: 'Unique slug: lower-case letters, digits, `-` and `_`, 2–63 characters.',
  examples: ['pro-monthly'],
});

const IntervalSchema = Type.Enum([...INTERVALS], {
  description: 'The calendar unit of a billing period.',
});

const PriceSchema = Type.Union([Money, Type.Null()], {
  description:
    'The flat price per period when the plan is one flat charge billed in advance; null otherwise (see `charges`).',
});

const NullableMinimum = Type.Union([MinimumCommitment, Type.Null()], {
  description: 'Minimum spend per period in minor units; null when there is none.',
});

export const PlanSchema = Type.Object(
  {
    id: Type.String({ examples: ['plan_abcdefghijklmnopqrst'] }),
    code: PlanCode,
    name: Type.String(),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Integer({ minimum: 1 }),
    price: PriceSchema,
    version: Type.Integer({
      minimum: 1,
      description: 'The current version: the one new subscriptions are pinned to.',
    }),
    taxBehavior: TaxBehaviorSchema,
    charges: Type.Array(ChargeSchema, { description: 'What the current version charges.' }),
    minimumCommitment: NullableMinimum,
    billingThreshold: {
      ...BillingThreshold,
      description:
        'The billing threshold new subscriptions get unless they set their own. ' +
        `${THRESHOLD_DESCRIPTION} Null: none.`,
    },
    createdAt: Timestamp,
  },
  { $id: 'Plan', title: 'Plan' },
);

export const PlanVersionSchema = Type.Object(
  {
    planCode: PlanCode,
    version: Type.Integer({ minimum: 1 }),
    current: Type.Boolean({ description: 'True for the version new subscriptions get.' }),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Integer({ minimum: 1 }),
    price: PriceSchema,
    taxBehavior: TaxBehaviorSchema,
    charges: Type.Array(ChargeSchema),
    minimumCommitment: NullableMinimum,
    createdAt: Timestamp,
    createdBy: Type.String({ description: 'The API key that created it, or "migration".' }),
  },
  {
    $id: 'PlanVersion',
    title: 'PlanVersion',
    description: 'One immutable version of a plan’s terms.',
  },
);

const IntervalCount = Type.Integer({
  minimum: 1,
  maximum: 366,
  description: 'Bill every N intervals, e.g. 2 with week for fortnightly.',
});

const FlatAmount = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description:
    'Shorthand for one flat charge billed in advance: the price per period in integer minor ' +
    'units (4900 = €49.00). Send either `amount` or `charges`.',
});

const Charges = Type.Array(ChargeSchema, {
  minItems: 1,
  maxItems: 50,
  description:
    'The charges, each with a unique `key`. Send either `charges` or `amount`. Fields a charge ' +
    'needs depend on its `type` (and a usage charge’s `pricing.model`); a missing or ' +
    'unacceptable one is a 422 naming it, e.g. `charges[1].pricing.tiers[0].upTo`.',
});

export const CreatePlanBody = Type.Object(
  {
    code: PlanCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency: CurrencyCode,
    interval: IntervalSchema,
    intervalCount: Type.Optional({ ...IntervalCount, default: 1 }),
    amount: Type.Optional(FlatAmount),
    charges: Type.Optional(Charges),
    taxBehavior: Type.Optional({ ...TaxBehaviorSchema, default: 'exclusive' }),
    minimumCommitment: Type.Optional(MinimumCommitment),
    billingThreshold: Type.Optional({
      ...BillingThresholdValue,
      description:
        'A default for its subscriptions (each may set its own). ' + THRESHOLD_DESCRIPTION,
    }),
  },
  { additionalProperties: false },
);

export const CreateVersionBody = Type.Object(
  {
    currency: Type.Optional({
      ...CurrencyCode,
      description: 'Must be the plan’s currency if given: a plan’s currency never changes.',
    }),
    interval: Type.Optional({ ...IntervalSchema, description: 'Default: the current version’s.' }),
    intervalCount: Type.Optional({
      ...IntervalCount,
      description: 'Default: the current version’s.',
    }),
    amount: Type.Optional(FlatAmount),
    charges: Type.Optional(Charges),
    taxBehavior: Type.Optional({
      ...TaxBehaviorSchema,
      description: 'Default: the current version’s.',
    }),
    minimumCommitment: Type.Optional({
      ...MinimumCommitment,
      description: 'Minimum spend per period in minor units; omitted means none (not inherited).',
    }),
  },
  { additionalProperties: false },
);

export const VersionParams = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 63 }),
    version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  },
  { additionalProperties: false },
);

export const ListPlansQuery = CodeCursorQuery('plan', 64);

/** Either `amount` (one flat advance charge) or `charges`: exactly one. A schema-level rule. */
export function sentCharges(body: {
  amount?: number | undefined;
  charges?: readonly object[] | undefined;
}): SentCharges {
  if (body.amount !== undefined && body.charges !== undefined) {
    throw invalidRequest('amount', 'send either amount or charges, not both');
  }
  if (body.charges !== undefined) return { charges: body.charges };
  if (body.amount === undefined) throw invalidRequest('charges', 'send either charges or amount');
  return { amount: body.amount };
}

function invalidRequest(field: string, message: string): Problem {
  return new Problem({
    status: 400,
    slug: 'validation-error',
    title: 'Invalid request',
    detail: `${field}: ${message}`,
    errors: [{ field, message }],
  });
}

function priceOf(version: StoredPlanVersion) {
  const amount = flatAdvancePrice(version.charges);
  return amount === undefined ? null : { amount, currency: version.currency };
}

export function toPlan({ plan, version }: PlanWithVersion) {
  return {
    id: plan.id,
    code: plan.code,
    name: plan.name,
    currency: version.currency,
    interval: version.billingCycle.interval,
    intervalCount: version.billingCycle.intervalCount,
    price: priceOf(version),
    version: version.version,
    taxBehavior: version.taxBehavior,
    charges: version.charges,
    minimumCommitment: version.minimumCommitment ?? null,
    billingThreshold: plan.billing_threshold,
    createdAt: iso(plan.created_at),
  };
}

export function toPlanVersion(version: StoredPlanVersion, currentVersion: number) {
  return {
    planCode: version.planCode,
    version: version.version,
    current: version.version === currentVersion,
    currency: version.currency,
    interval: version.billingCycle.interval,
    intervalCount: version.billingCycle.intervalCount,
    price: priceOf(version),
    taxBehavior: version.taxBehavior,
    charges: version.charges,
    minimumCommitment: version.minimumCommitment ?? null,
    createdAt: iso(version.createdAt),
    createdBy: version.createdBy,
  };
}
