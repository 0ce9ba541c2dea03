// The quote routes' request and response shapes, and how a stored quote is shown.
import { Type } from 'typebox';
import type { QuoteRecord } from '../../db/repositories/quotes.ts';
import { QUOTE_STATUSES } from '../../domain/quotes/terms.ts';
import { described, iso, Limit, StartingAfter, Timestamp } from './common.ts';
import { CreateProjectBody } from './projects.ts';

export const IssueQuoteBody = Type.Object(
  {
    validUntil: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'The last instant the quote may be accepted. Default: the end of the 30th day after issue, in the customer’s time zone.',
      }),
    ),
    terms: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 5000,
        description: 'The seller’s terms, printed on the quote and in its email.',
      }),
    ),
    trialDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 730,
        description:
          'A trial before the first paid period of the subscription an acceptance starts.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const IssueProjectQuoteBody = Type.Object(
  {
    project: described(
      CreateProjectBody,
      'The project an acceptance starts: POST /v1/projects’ body.',
    ),
    validUntil: IssueQuoteBody.properties.validUntil,
    terms: IssueQuoteBody.properties.terms,
  },
  { additionalProperties: false },
);

export const ListQuotesQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(Type.Enum([...QUOTE_STATUSES])),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const QuoteSchema = Type.Object(
  {
    id: Type.String(),
    number: Type.String({ description: 'In the quote series, e.g. Q-2027-000001.' }),
    estimateId: Type.String(),
    customerId: Type.String(),
    status: Type.Enum([...QUOTE_STATUSES]),
    issuedAt: Timestamp,
    validUntil: described(Timestamp, 'The last instant the quote may be accepted.'),
    terms: Type.Union([Type.String(), Type.Null()]),
    subscription: Type.Union([
      Type.Object(
        {
          planCode: Type.String(),
          planVersion: Type.Integer(),
          quantity: Type.Integer({ description: 'Seats of every per-seat charge.' }),
          trialDays: Type.Union([Type.Integer(), Type.Null()]),
          anchoring: Type.Union([
            Type.Object({
              type: Type.Enum(['anniversary', 'calendar', 'billing_day']),
              day: Type.Optional(Type.Integer()),
            }),
            Type.Null(),
          ]),
          couponCodes: Type.Array(Type.String()),
        },
        { description: 'The subscription an acceptance starts, as the estimate priced it.' },
      ),
      Type.Null(),
    ]),
    project: Type.Union([
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'A project quote: the POST /v1/projects order an acceptance starts (customerId aside).',
        },
      ),
      Type.Null(),
    ]),
    projectId: Type.Union([Type.String(), Type.Null()], {
      description: 'The project the acceptance of a project quote started.',
    }),
    subscriptionId: Type.Union([Type.String(), Type.Null()], {
      description: 'The subscription the acceptance started.',
    }),
    accepted: Type.Union([
      Type.Object({
        at: Timestamp,
        name: Type.String(),
        title: Type.Union([Type.String(), Type.Null()]),
        ip: Type.Union([Type.String(), Type.Null()], {
          description: 'The client address the acceptance came from.',
        }),
      }),
      Type.Null(),
    ]),
    declined: Type.Union([Type.Object({ at: Timestamp, reason: Type.String() }), Type.Null()]),
    expiredAt: NullableTimestamp,
    createdAt: Timestamp,
  },
  { $id: 'Quote', title: 'Quote' },
);

export function toQuote(quote: QuoteRecord) {
  return {
    id: quote.id,
    number: quote.number,
    estimateId: quote.estimateId,
    customerId: quote.customerId,
    status: quote.status,
    issuedAt: iso(quote.issuedAt),
    validUntil: iso(quote.validUntil),
    terms: quote.terms,
    subscription:
      quote.planCode === null
        ? null
        : {
            planCode: quote.planCode,
            planVersion: quote.planVersion!,
            quantity: quote.quantity,
            trialDays: quote.trialDays,
            anchoring: quote.anchoring,
            couponCodes: quote.couponCodes,
          },
    project: quote.project,
    projectId: quote.projectId,
    subscriptionId: quote.subscriptionId,
    accepted: quote.accepted && { ...quote.accepted, at: iso(quote.accepted.at) },
    declined: quote.declined && { ...quote.declined, at: iso(quote.declined.at) },
    expiredAt: iso(quote.expiredAt),
    createdAt: iso(quote.createdAt),
  };
}

/** The signed link's query (and the hidden fields of the page's forms). */
const SignedFields = {
  expires: Type.Optional(Type.String({ maxLength: 20 })),
  signature: Type.Optional(Type.String({ maxLength: 100 })),
};
export const QuoteLinkQuery = Type.Object(SignedFields);
export const AcceptQuoteBody = Type.Object({
  ...SignedFields,
  name: Type.Optional(Type.String({ maxLength: 200 })),
  title: Type.Optional(Type.String({ maxLength: 200 })),
});
export const DeclineQuoteBody = Type.Object({
  ...SignedFields,
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
});
