// The wire shape of an invoice line's arithmetic (domain/invoicing/line-arithmetic.ts): what a
// customer needs to check a line, as stored with it. Quantities and prices are exact decimal
// strings; prices and amounts are minor units and may have more decimals than the currency.
import { Type } from 'typebox';
import { BILLING_TIMINGS } from '../../domain/catalog/types.ts';
import { LINE_KINDS } from '../../domain/rating/types.ts';
import { Decimal } from './catalog.ts';

const NullableDecimal = (description: string) =>
  Type.Union([Decimal, Type.Null()], { description });

export const LineComponentSchema = Type.Object(
  {
    label: Type.String({ description: 'e.g. "above 1,000 up to 10,000", "flat fee (tier 2)".' }),
    quantity: NullableDecimal('Units priced by this part; null for a fixed fee.'),
    unitPrice: NullableDecimal('Minor units per unit, exact ("0.06"); null for a fixed fee.'),
    amount: {
      ...Decimal,
      description: 'Exact minor units, not rounded: the parts of a line sum to its price.',
    },
  },
  { title: 'LineComponent' },
);

export const LineArithmeticSchema = Type.Object(
  {
    kind: Type.Enum([...LINE_KINDS], {
      description: 'charge, or the true-up of a charge’s or the plan’s minimum commitment.',
    }),
    chargeKey: Type.Union([Type.String(), Type.Null()], {
      description: 'The plan charge billed; null for the plan-level minimum.',
    }),
    billing: Type.Enum([...BILLING_TIMINGS], {
      description: 'advance (the period that opens) or arrears (the period that closed).',
    }),
    usedQuantity: NullableDecimal(
      'Units used in the period before free units; null for flat fees.',
    ),
    freeUnits: NullableDecimal('Free units taken off the used quantity; null when none.'),
    components: Type.Array(LineComponentSchema, {
      description: 'The priced parts (tiers, fees, blocks), before proration and cap.',
    }),
    proration: Type.Union(
      [
        Type.Object(
          { numerator: Type.Integer(), denominator: Type.Integer({ minimum: 1 }) },
          { description: 'e.g. 19/28: 19 days of a 28-day period.' },
        ),
        Type.Null(),
      ],
      { description: 'Share of the period billed; null for a whole period.' },
    ),
    cappedAt: NullableDecimal(
      'The per-period maximum (minor units, prorated like the line) that limited the amount; null if none did.',
    ),
    explanation: Type.Array(Type.String(), { description: 'The arithmetic, step by step.' }),
  },
  {
    $id: 'LineArithmetic',
    title: 'LineArithmetic',
    description: 'How the line’s amount was reached, so the customer can check it.',
  },
);
