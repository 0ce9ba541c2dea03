import { describe, expect, it } from 'vitest';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { validateCoupon, validatePlanVersion } from '../../domain/catalog/validation.ts';

const metrics = new Set(['api_calls', 'storage_gb', 'payments']);

const valid = (): PlanVersion => ({
  planCode: 'pro',
  version: 1,
  currency: 'EUR',
  billingCycle: { interval: 'month', intervalCount: 1 },
  taxBehavior: 'exclusive',
  charges: [
    { key: 'base', description: 'Pro', billing: 'advance', type: 'flat', amount: '4900' },
    {
      key: 'seats',
      description: 'Seats',
      billing: 'arrears',
      type: 'per_seat',
      unitAmount: '1000',
      freeUnits: '2',
    },
    {
      key: 'api',
      description: 'API calls',
      billing: 'arrears',
      type: 'usage',
      metricCode: 'api_calls',
      pricing: {
        model: 'graduated',
        tiers: [
          { upTo: '1000', unitPrice: '0' },
          { upTo: '10000', unitPrice: '0.1' },
          { upTo: null, unitPrice: '0.05', flatFee: '500' },
        ],
      },
      minimum: '1000',
      maximum: '100000',
    },
  ],
  minimumCommitment: '10000',
});

type Json = null | string | number | boolean | Json[] | { [key: string]: Json };

/** 3 % up to 1,000 (+ 100 once), 2 % up to 1,000,000, 1 % above; some tiers replaced. */
function gradPct(replace: Record<number, Json>): Json {
  const tiers: Json[] = [
    { upTo: '1000', rate: '3', flatFee: '100' },
    { upTo: '1000000', rate: '2' },
    { upTo: null, rate: '1' },
  ];
  for (const [i, tier] of Object.entries(replace)) tiers[Number(i)] = tier;
  return { model: 'graduated_percentage', tiers };
}

/** Sets a dotted path ("charges[2].pricing.tiers[1].upTo") in a JSON value. */
function setPath(root: Json, path: string, value: Json): void {
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let node = root as Record<string, Json>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, Json>;
  node[keys.at(-1)!] = value;
}

/** The fields of the issues of the plan with some fields set. */
function fieldsOf(changes: [string, Json][]): string[] {
  const plan = structuredClone(valid()) as unknown as Json;
  for (const [path, value] of changes) setPath(plan, path, value);
  return validatePlanVersion(plan, metrics).map((i) => i.field);
}

describe('validatePlanVersion', () => {
  it('accepts a well-formed plan', () => {
    expect(validatePlanVersion(valid(), metrics)).toEqual([]);
  });

  const cases: [string, [string, Json][], string][] = [
    [
      'unordered tiers',
      [['charges[2].pricing.tiers[1].upTo', '500']],
      'charges[2].pricing.tiers[1].upTo',
    ],
    [
      'overlapping tiers (equal bounds)',
      [['charges[2].pricing.tiers[1].upTo', '1000']],
      'charges[2].pricing.tiers[1].upTo',
    ],
    [
      'a non-final unbounded tier',
      [['charges[2].pricing.tiers[0].upTo', null]],
      'charges[2].pricing.tiers[0].upTo',
    ],
    [
      'a bounded final tier',
      [['charges[2].pricing.tiers[2].upTo', '20000']],
      'charges[2].pricing.tiers[2].upTo',
    ],
    ['no tiers', [['charges[2].pricing.tiers', []]], 'charges[2].pricing.tiers'],
    [
      'a negative unit price',
      [['charges[2].pricing.tiers[1].unitPrice', '-0.1']],
      'charges[2].pricing.tiers[1].unitPrice',
    ],
    [
      'a negative flat fee',
      [['charges[2].pricing.tiers[2].flatFee', '-1']],
      'charges[2].pricing.tiers[2].flatFee',
    ],
    ['a negative flat amount', [['charges[0].amount', '-4900']], 'charges[0].amount'],
    ['an invalid decimal', [['charges[1].unitAmount', '1e3']], 'charges[1].unitAmount'],
    ['a number instead of a decimal string', [['charges[0].amount', 4900]], 'charges[0].amount'],
    [
      'a zero package size',
      [['charges[2].pricing', { model: 'package', packageSize: '0', packagePrice: '500' }]],
      'charges[2].pricing.packageSize',
    ],
    [
      'a rate above 100 %',
      [['charges[2].pricing', { model: 'percentage', rate: '100.5' }]],
      'charges[2].pricing.rate',
    ],
    [
      'a negative rate',
      [['charges[2].pricing', { model: 'percentage', rate: '-1' }]],
      'charges[2].pricing.rate',
    ],
    [
      'min above max per transaction',
      [
        [
          'charges[2].pricing',
          { model: 'percentage', rate: '2.9', minPerTransaction: '50', maxPerTransaction: '20' },
        ],
      ],
      'charges[2].pricing.minPerTransaction',
    ],
    [
      'fractional free transactions',
      [['charges[2].pricing', { model: 'percentage', rate: '2.9', freeTransactions: '1.5' }]],
      'charges[2].pricing.freeTransactions',
    ],
    [
      'free units on a percentage charge',
      [
        ['charges[2].pricing', { model: 'percentage', rate: '2.9' }],
        ['charges[2].freeUnits', '3'],
      ],
      'charges[2].freeUnits',
    ],
    [
      'a charge minimum above its maximum',
      [['charges[2].minimum', '200000']],
      'charges[2].minimum',
    ],
    ['a duplicate charge key', [['charges[1].key', 'base']], 'charges[1].key'],
    ['a malformed charge key', [['charges[1].key', 'has space']], 'charges[1].key'],
    ['an unknown metric', [['charges[2].metricCode', 'emails']], 'charges[2].metricCode'],
    ['usage billed in advance', [['charges[2].billing', 'advance']], 'charges[2].billing'],
    ['free units on a flat charge', [['charges[0].freeUnits', '1']], 'charges[0].freeUnits'],
    ['a maximum on a flat charge', [['charges[0].maximum', '1']], 'charges[0].maximum'],
    [
      'free units twice on a package',
      [
        ['charges[2].freeUnits', '5'],
        [
          'charges[2].pricing',
          { model: 'package', packageSize: '10', packagePrice: '5', freeUnits: '5' },
        ],
      ],
      'charges[2].pricing.freeUnits',
    ],
    [
      'an unknown pricing model',
      [['charges[2].pricing', { model: 'stairstep' }]],
      'charges[2].pricing.model',
    ],
    ['an unknown charge type', [['charges[0].type', 'one_off']], 'charges[0].type'],
    ['an unknown currency', [['currency', 'EURO']], 'currency'],
    ['a zero interval count', [['billingCycle.intervalCount', 0]], 'billingCycle.intervalCount'],
    ['an unknown interval', [['billingCycle.interval', 'fortnight']], 'billingCycle.interval'],
    ['an unknown tax behaviour', [['taxBehavior', 'none']], 'taxBehavior'],
    ['a negative commitment', [['minimumCommitment', '-1']], 'minimumCommitment'],
    ['no charges', [['charges', []]], 'charges'],
    ['a zero block size', [['charges[2].pricing.blockSize', '0']], 'charges[2].pricing.blockSize'],
    [
      'a negative block size',
      [['charges[2].pricing.blockSize', '-100']],
      'charges[2].pricing.blockSize',
    ],
    [
      'a block size on a package',
      [
        [
          'charges[2].pricing',
          { model: 'package', packageSize: '10', packagePrice: '5', blockSize: '5' },
        ],
      ],
      'charges[2].pricing.blockSize',
    ],
    [
      'a graduated percentage rate above 100 %',
      [['charges[2].pricing', gradPct({ 1: { upTo: '100000', rate: '100.1' } })]],
      'charges[2].pricing.tiers[1].rate',
    ],
    [
      'a graduated percentage tier without a rate',
      [['charges[2].pricing', gradPct({ 0: { upTo: '1000' } })]],
      'charges[2].pricing.tiers[0].rate',
    ],
    [
      'a negative graduated percentage flat fee',
      [['charges[2].pricing', gradPct({ 2: { upTo: null, rate: '1', flatFee: '-5' } })]],
      'charges[2].pricing.tiers[2].flatFee',
    ],
    [
      'graduated percentage tiers out of order',
      [['charges[2].pricing', gradPct({ 1: { upTo: '500', rate: '2' } })]],
      'charges[2].pricing.tiers[1].upTo',
    ],
    [
      'a bounded last graduated percentage tier',
      [['charges[2].pricing', gradPct({ 2: { upTo: '2000000', rate: '1' } })]],
      'charges[2].pricing.tiers[2].upTo',
    ],
    [
      'a unit price on a graduated percentage tier',
      [['charges[2].pricing', gradPct({ 0: { upTo: '1000', rate: '3', unitPrice: '1' } })]],
      'charges[2].pricing.tiers[0].unitPrice',
    ],
    [
      'a rate on a graduated tier',
      [['charges[2].pricing.tiers[0].rate', '3']],
      'charges[2].pricing.tiers[0].rate',
    ],
  ];

  it('accepts block rounding and graduated percentage', () => {
    expect(fieldsOf([['charges[2].pricing.blockSize', '100']])).toEqual([]);
    expect(fieldsOf([['charges[2].pricing', gradPct({})]])).toEqual([]);
  });

  it.each(cases)('rejects %s', (_name, changes, field) => {
    expect(fieldsOf(changes)).toEqual([field]);
  });

  it('says what is wrong', () => {
    const plan = structuredClone(valid()) as unknown as Json;
    setPath(plan, 'charges[2].pricing.tiers[1].upTo', '500');
    expect(validatePlanVersion(plan, metrics)).toEqual([
      {
        field: 'charges[2].pricing.tiers[1].upTo',
        message: "must be greater than the previous tier's upTo (1000)",
      },
    ]);
    expect(validatePlanVersion('pro', metrics)).toEqual([
      { field: '', message: 'must be an object' },
    ]);
  });
});

describe('validateCoupon', () => {
  const coupon = {
    code: 'LAUNCH',
    description: 'Launch −20 %',
    value: { type: 'percentage', percent: '20' },
    duration: { type: 'repeating', periods: 3 },
    appliesTo: { type: 'charges', chargeKeys: ['base'] },
  };

  it('accepts a well-formed coupon and rejects nonsense by field', () => {
    expect(validateCoupon(coupon, new Set(['base']))).toEqual([]);
    const fields = (c: unknown) => validateCoupon(c, new Set(['base'])).map((i) => i.field);
    expect(fields({ ...coupon, value: { type: 'percentage', percent: '120' } })).toEqual([
      'value.percent',
    ]);
    expect(
      fields({ ...coupon, value: { type: 'fixed', amount: { amount: -5, currency: 'EUR' } } }),
    ).toEqual(['value.amount.amount']);
    expect(fields({ ...coupon, duration: { type: 'repeating', periods: 0 } })).toEqual([
      'duration.periods',
    ]);
    expect(fields({ ...coupon, appliesTo: { type: 'charges', chargeKeys: ['nope'] } })).toEqual([
      'appliesTo.chargeKeys[0]',
    ]);
  });
});
