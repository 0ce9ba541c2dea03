// Schemas every resource shares: money, timestamps, list envelopes, pagination and the
// documented problem responses. TypeBox types double as JSON Schema for validation,
// serialization and the OpenAPI document.
import { Type, type TSchema } from 'typebox';
import { MAX_AMOUNT } from '../../domain/core/money.ts';
import { PROBLEM_CONTENT_TYPE, unprocessable } from '../problem.ts';

/**
 * The largest number a request body may carry, in magnitude: an amount in minor units
 * (10^15 cents is ten trillion euros), a quantity. A line's quantity × unit price and the sum of
 * an invoice's lines are held to it too, so totals, tax and credits stay far below 2^53 (about
 * 9 × 10^15), where integer arithmetic in JavaScript stops being exact.
 */
export const MAX_BODY_NUMBER = MAX_AMOUNT;
export { MAX_AMOUNT };

/**
 * Refuses (422) lines whose extended amounts, or whose sum, pass MAX_AMOUNT, before anything
 * multiplies or adds them. `priceField` names each line's unit price in the request.
 */
export function assertLineTotalsBounded<K extends string>(
  lines: readonly ({ quantity: number | string } & Record<K, number | string>)[],
  priceField: K,
): void {
  let total = 0;
  for (const [i, line] of lines.entries()) {
    // Integers or decimal strings: in floating point the product is close enough to compare
    // with 10^15 (exact arithmetic comes after, on bounded values).
    const extended = Number(line.quantity) * Number(line[priceField]);
    if (extended > MAX_AMOUNT)
      throw unprocessable(
        `lines[${i}].quantity`,
        `quantity × ${priceField} must be at most ${MAX_AMOUNT} minor units`,
      );
    total += extended;
    if (total > MAX_AMOUNT)
      throw unprocessable('lines', `the lines must total at most ${MAX_AMOUNT} minor units`);
  }
}

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO 8601 instant in UTC, e.g. 2026-12-01T00:00:00.000Z.',
});

export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const CurrencyCode = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 currency code, e.g. EUR.',
  examples: ['EUR'],
});

/** Money on the wire: integer minor units with the currency beside it, never a float. */
export const Money = Type.Object(
  {
    amount: Type.Integer({
      description: 'Integer count of the currency’s minor unit (cents for EUR).',
    }),
    currency: CurrencyCode,
  },
  { description: 'An amount of money in minor units.' },
);

/** Why an operator did something: kept with the change for the audit trail. */
export const Reason = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: 'Why, for the audit trail.',
});

export const Period = Type.Object(
  { start: Timestamp, end: Timestamp },
  { description: 'Start inclusive, end exclusive.' },
);
export const NullablePeriod = Type.Union([Period, Type.Null()]);

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export const Limit = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: `Page size, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`,
  }),
);

export const StartingAfter = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'Cursor: the id of the last item of the previous page. Items are newest first.',
});

/** The query of a list without filters: `limit` and the `startingAfter` cursor. */
export const PageQuery = Type.Object(
  { limit: Limit, startingAfter: Type.Optional(StartingAfter) },
  { additionalProperties: false },
);

/** The query of a list whose cursor is a code (plans, coupons, metrics). */
export function CodeCursorQuery(item: string, maxLength: number) {
  return Type.Object(
    {
      limit: Limit,
      startingAfter: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength,
          description: `Cursor: the code of the last ${item} of the previous page.`,
        }),
      ),
    },
    { additionalProperties: false },
  );
}

/**
 * A page of a list read whole (the items of one parent: an invoice's payments, a project's
 * events), in the list's order: the items after the one whose cursor is `startingAfter` (an
 * unknown cursor gives an empty page), at most `limit` of them.
 */
export function pageAfter<T, U>(
  items: T[],
  query: { limit?: number | undefined; startingAfter?: string | undefined },
  cursorOf: (item: T) => string,
  toItem: (item: T) => U,
): { data: U[]; hasMore: boolean } {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const start =
    query.startingAfter === undefined
      ? 0
      : items.findIndex((item) => cursorOf(item) === query.startingAfter) + 1;
  if (start === 0 && query.startingAfter !== undefined) return { data: [], hasMore: false };
  return {
    data: items.slice(start, start + limit).map(toItem),
    hasMore: start + limit < items.length,
  };
}

/** A page a repository or service read (`items` after the cursor, `hasMore`) as the API answers it. */
export function pageOf<T, U>(
  page: { items: T[]; hasMore: boolean },
  toItem: (item: T) => U,
): { data: U[]; hasMore: boolean } {
  return { data: page.items.map(toItem), hasMore: page.hasMore };
}

/** A response schema with the description the OpenAPI document shows for that response. */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** The envelope of every list response. */
export function ListOf<T extends TSchema>(item: T, description: string) {
  return Type.Object(
    {
      data: Type.Array(item),
      hasMore: Type.Boolean({ description: 'True when more items follow this page.' }),
    },
    { description },
  );
}

/** A plan, coupon or metric, addressed by its code. */
export const CodeParams = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 63 }) },
  { additionalProperties: false },
);

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

/** A documented error response: problem+json, described for the OpenAPI reader. */
export function problemResponse(description: string) {
  return {
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } },
  };
}

export const HtmlDocument = {
  description: 'An HTML document.',
  content: { 'text/html': { schema: Type.String() } },
};

export const PdfDocument = {
  description: 'The invoice as an A4 PDF, exactly as stored. Its ETag is the hash of its bytes.',
  content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
};

/** Date → ISO 8601 UTC string (`Z`), null stays null. */
export function iso(value: Date): string;
export function iso(value: Date | null): string | null;
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
