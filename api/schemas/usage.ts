// The usage routes' request and response shapes: a usage event, a batch of them and what
// became of each; and the body's validation, which checks the envelope only (one event, or
// `{ events: [...] }` of 1 to 1,000) so that each event of a batch is judged on its own.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { fieldErrors, validatorCompiler } from '../plugins/validation.ts';
import type { FieldError } from '../problem.ts';
import { Timestamp } from './common.ts';
import { MetricCode } from './metrics.ts';

export const MAX_EVENTS_PER_REQUEST = 1000;

const Id = Type.String({ minLength: 1, maxLength: 64 });

export const UsageEventSchema = Type.Object(
  {
    transactionId: Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Your id for this event, unique per customer: an event sent again with the same id is ' +
        'acknowledged as a duplicate and never counted twice.',
      examples: ['req_01HF3Z'],
    }),
    customerId: Type.Optional({ ...Id, description: 'The customer; or send subscriptionId.' }),
    subscriptionId: Type.Optional({
      ...Id,
      description: 'A subscription, standing for its customer; or send customerId.',
    }),
    metricCode: MetricCode,
    timestamp: { ...Timestamp, description: 'When the usage happened (ISO 8601).' },
    properties: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'Free-form properties. The one the metric aggregates must be a JSON integer or a ' +
          'decimal string ("0.25") for sum, max, latest and weighted_sum, and a string or ' +
          'integer for unique_count.',
        examples: [{ bytes: 1024, region: 'eu-west-1' }],
      }),
    ),
  },
  { $id: 'UsageEvent', title: 'UsageEvent', additionalProperties: false },
);

export const UsageBatchSchema = Type.Object(
  {
    events: Type.Array(Type.Ref('UsageEvent'), {
      minItems: 1,
      maxItems: MAX_EVENTS_PER_REQUEST,
      description: `1 to ${MAX_EVENTS_PER_REQUEST} events; each is accepted or rejected on its own.`,
    }),
  },
  { additionalProperties: false },
);

const EventStatus = Type.Enum(['accepted', 'duplicate', 'rejected']);

export const UsageIngestResult = Type.Object(
  {
    accepted: Type.Integer({ description: 'Events stored by this request.' }),
    duplicates: Type.Integer({
      description:
        'Events already stored (same customer and transactionId): acknowledged, not counted again.',
    }),
    rejected: Type.Integer({ description: 'Events not stored; see `errors`.' }),
    results: Type.Array(
      Type.Object({
        index: Type.Integer({ description: 'Position in `events` (0 for a single event).' }),
        transactionId: Type.Union([Type.String(), Type.Null()]),
        status: EventStatus,
        billingTimestamp: Type.Optional({
          ...Timestamp,
          description:
            'Present when a late event was carried forward: the instant it is billed at, the start of the first open period.',
        }),
      }),
      { description: 'One entry per event, in request order.' },
    ),
    errors: Type.Array(
      Type.Object({
        index: Type.Integer(),
        field: Type.String({
          description: 'Dotted path into the body, e.g. events[3].metricCode.',
        }),
        message: Type.String(),
      }),
      { description: 'Why each rejected event was rejected (one or more entries per event).' },
    ),
  },
  { title: 'UsageIngestResult' },
);

const checkEvent = Compile(
  Type.Object(UsageEventSchema.properties, { additionalProperties: false }),
);

/** Schema errors of one event, with fields relative to the event ('' for the event itself). */
export function shapeErrors(event: unknown): FieldError[] {
  if (checkEvent.Check(event)) {
    const { customerId, subscriptionId } = event;
    if ((customerId === undefined) === (subscriptionId === undefined))
      return [
        {
          field: customerId === undefined ? 'customerId' : 'subscriptionId',
          message: 'send exactly one of customerId and subscriptionId',
        },
      ];
    return [];
  }
  return fieldErrors(checkEvent.Errors(event), '');
}

/**
 * The envelope only: a batch is `{ events: [...] }` (1 to 1,000 items, checked here so the
 * error names `events`), each event judged on its own later; anything else is one event,
 * validated in full like any request body.
 */
function envelopeValidator(body: unknown) {
  const error = (instancePath: string, keyword: string, message: string, params = {}) => ({
    error: [{ instancePath, keyword, message, params, schemaPath: `#/${keyword}` }],
  });
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return error('', 'type', 'must be an event or { "events": [...] }');
  if (!('events' in body)) {
    if (checkEvent.Check(body)) return { value: body };
    return { error: checkEvent.Errors(body) as unknown as FastifySchemaValidationError[] };
  }
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0)
    return error('', 'additionalProperties', 'is not a known property', {
      additionalProperties: extra,
    });
  const { events } = body;
  if (!Array.isArray(events)) return error('/events', 'type', 'must be array');
  if (events.length === 0) return error('/events', 'minItems', 'must contain at least 1 event');
  if (events.length > MAX_EVENTS_PER_REQUEST)
    return error(
      '/events',
      'maxItems',
      `must contain at most ${MAX_EVENTS_PER_REQUEST} events (got ${events.length}); split the batch`,
    );
  return { value: body };
}

export const usageEventsValidator: FastifySchemaCompiler<TSchema> = (route) =>
  route.httpPart === 'body' ? envelopeValidator : validatorCompiler(route);
