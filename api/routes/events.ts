// Usage events: POST /v1/events, one event or a batch of up to 1,000.
//
// Each event is stored once per (customer, transactionId), whatever the retries: the database
// decides in the same statement that stores it (db/repositories/usage.ts). A batch is not
// all-or-nothing: valid events are stored, invalid ones are reported by index, and the answer
// says what became of every event (accepted, duplicate or rejected):
//   200 when no event was rejected, 207 when some (or all) were. A single event (a body that
//   is the event itself) answers 200, or a problem (400 malformed, 422 unacceptable) naming
//   the field, like any other POST.
//
// Numbers: the field a metric aggregates is taken as a JSON integer (exact up to 2^53) or a
// decimal string ("0.1", "-12.5"). A JSON number with a fraction is refused: by the time it
// reaches us it is a binary float (0.1 is 0.1000000000000000055…), and usage is money.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { getMetrics, type MetricRecord } from '../../db/repositories/metrics.ts';
import {
  recordUsageEvents,
  type LateEventsPolicy,
  type RecordOutcome,
  type UsageEventInput,
} from '../../db/repositories/usage.ts';
import { fieldErrors, validatorCompiler } from '../plugins/validation.ts';
import { Problem, type FieldError } from '../problem.ts';
import { described, iso, problemResponse, Timestamp } from '../schemas/common.ts';
import { MetricCode } from '../schemas/metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** What POST /v1/events does with events in an already invoiced usage period. */
    lateEvents: LateEventsPolicy;
  }
}

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

const BatchSchema = Type.Object(
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

const IngestResult = Type.Object(
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

type EventStatusValue = 'accepted' | 'duplicate' | 'rejected';

interface EventError {
  index: number;
  field: string;
  message: string;
  /** 400 malformed, 422 well-formed but unacceptable: the status a single event answers. */
  status: 400 | 422;
}

const checkEvent = Compile(
  Type.Object(UsageEventSchema.properties, { additionalProperties: false }),
);

interface RawEvent {
  transactionId: string;
  customerId?: string;
  subscriptionId?: string;
  metricCode: string;
  timestamp: string;
  properties?: Record<string, unknown>;
}

/** Schema errors of one event, with fields relative to the event ('' for the event itself). */
function shapeErrors(event: unknown): FieldError[] {
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

const DECIMAL = /^[+-]?\d{1,30}(\.\d{1,30})?$/;

/** The metric's field of a valid event, or the reason it is not acceptable. */
function extractField(
  metric: MetricRecord,
  properties: Record<string, unknown>,
): { value?: string; uniqueKey?: string } | { error: string } {
  if (metric.aggregation === 'count' || metric.field === undefined) return {};
  const name = metric.field;
  if (!Object.hasOwn(properties, name))
    return { error: `is required by metric ${metric.code} (${metric.aggregation} of ${name})` };
  const raw = properties[name];
  if (metric.aggregation === 'unique_count') {
    if (typeof raw === 'string' && raw.length > 0 && raw.length <= 255) return { uniqueKey: raw };
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { uniqueKey: String(raw) };
    return { error: 'must be a non-empty string (at most 255 characters) or an integer' };
  }
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw)) return { value: String(raw) };
    return {
      error: Number.isInteger(raw)
        ? 'is beyond 2^53 as a JSON number; send it as a decimal string'
        : 'has a fraction: send it as a decimal string (e.g. "0.1"), JSON numbers with a fraction arrive as binary floats',
    };
  }
  if (typeof raw === 'string' && DECIMAL.test(raw)) return { value: raw };
  return { error: 'must be a JSON integer or a decimal string such as "12.5"' };
}

function describeOutcome(
  outcome: RecordOutcome,
  event: RawEvent,
  policy: LateEventsPolicy,
): { field: string; message: string } | undefined {
  switch (outcome.status) {
    case 'unknown-customer':
      return { field: 'customerId', message: `no customer has id ${event.customerId}` };
    case 'unknown-subscription':
      return { field: 'subscriptionId', message: `no subscription has id ${event.subscriptionId}` };
    case 'period-closed':
      return {
        field: 'timestamp',
        message: `falls in a usage period already invoiced (usage is closed through ${iso(outcome.closedThrough)}); late events are rejected (BILLWRIGHT_LATE_EVENTS=${policy})`,
      };
    default:
      return undefined;
  }
}

/** Metrics are immutable, so a found metric may be cached for the life of the process. */
function metricCache(load: (codes: string[]) => Promise<Map<string, MetricRecord>>) {
  const cache = new Map<string, MetricRecord>();
  return async (codes: Iterable<string>): Promise<Map<string, MetricRecord>> => {
    const missing = [...new Set(codes)].filter((code) => !cache.has(code));
    if (missing.length > 0) {
      const found = await load(missing);
      if (cache.size + found.size > 10_000) cache.clear();
      for (const [code, metric] of found) cache.set(code, metric);
    }
    return cache;
  };
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

const routeValidator: FastifySchemaCompiler<TSchema> = (route) =>
  route.httpPart === 'body' ? envelopeValidator : validatorCompiler(route);

const events: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.addSchema(UsageEventSchema);
  const metricsByCode = metricCache((codes) => getMetrics(app.db, codes));

  app.post(
    '/events',
    {
      bodyLimit: 8 * 1024 * 1024,
      validatorCompiler: routeValidator,
      schema: {
        tags: ['Usage'],
        summary: 'Send usage events',
        description:
          `One event, or \`{ "events": [...] }\` with 1 to ${MAX_EVENTS_PER_REQUEST}. Events are ` +
          'idempotent by (customer, transactionId): resending one is safe and reports it as a ' +
          'duplicate. In a batch each event stands alone: valid ones are stored even when others ' +
          'are rejected (status 207, `errors` by index). Events timestamped in a usage period ' +
          'already invoiced are rejected, or carried forward into the first open period, as the ' +
          'operator configured (BILLWRIGHT_LATE_EVENTS).',
        body: Type.Union([Type.Ref('UsageEvent'), BatchSchema]),
        response: {
          200: described(IngestResult, 'Every event was stored or was already stored.'),
          207: described(IngestResult, 'Some events were rejected; `errors` says why, by index.'),
          422: problemResponse(
            'A single event is well-formed but not acceptable: unknown customer, subscription or ' +
              'metric, a missing or non-numeric field, or a closed usage period.',
          ),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as RawEvent | { events: unknown[] };
      const batch = 'events' in body;
      const raw: unknown[] = batch ? body.events : [body];
      const path = (index: number, field: string) =>
        batch ? `events[${index}]${field === '' ? '' : `.${field}`}` : field || 'body';

      const errors: EventError[] = [];
      const valid: { index: number; event: RawEvent }[] = [];
      const codes = new Set<string>();
      raw.forEach((event, index) => {
        const problems = shapeErrors(event);
        if (problems.length === 0) {
          valid.push({ index, event: event as RawEvent });
          codes.add((event as RawEvent).metricCode);
        } else {
          for (const p of problems)
            errors.push({ index, field: path(index, p.field), message: p.message, status: 400 });
        }
      });

      const metrics = await metricsByCode(codes);
      const stored: { index: number; event: RawEvent; input: UsageEventInput }[] = [];
      for (const { index, event } of valid) {
        const metric = metrics.get(event.metricCode);
        if (!metric) {
          errors.push({
            index,
            field: path(index, 'metricCode'),
            message: `no billable metric has code ${event.metricCode}`,
            status: 422,
          });
          continue;
        }
        const properties = event.properties ?? {};
        const extracted = extractField(metric, properties);
        if ('error' in extracted) {
          errors.push({
            index,
            field: path(index, `properties.${metric.field}`),
            message: extracted.error,
            status: 422,
          });
          continue;
        }
        stored.push({
          index,
          event,
          input: {
            customerId: event.customerId,
            subscriptionId: event.subscriptionId,
            transactionId: event.transactionId,
            metricCode: event.metricCode,
            timestamp: event.timestamp,
            properties,
            value: extracted.value,
            uniqueKey: extracted.uniqueKey,
          },
        });
      }

      const policy = app.lateEvents;
      const outcomes = await recordUsageEvents(
        app.db,
        stored.map((s) => s.input),
        policy,
      );

      const statuses = new Map<number, { status: EventStatusValue; billingTimestamp?: string }>();
      outcomes.forEach((outcome, i) => {
        const { index, event } = stored[i]!;
        if (outcome.status === 'accepted') {
          statuses.set(index, {
            status: 'accepted',
            ...(outcome.carriedForward && { billingTimestamp: iso(outcome.billingTimestamp) }),
          });
        } else if (outcome.status === 'duplicate') {
          statuses.set(index, { status: 'duplicate' });
        } else {
          const why = describeOutcome(outcome, event, policy)!;
          errors.push({ index, field: path(index, why.field), message: why.message, status: 422 });
        }
      });

      errors.sort((a, b) => a.index - b.index);
      if (!batch && errors.length > 0) {
        const status = errors.some((e) => e.status === 400) ? 400 : 422;
        const fields = errors.map(({ field, message }) => ({ field, message }));
        throw new Problem({
          status,
          slug: status === 400 ? 'validation-error' : 'unprocessable',
          ...(status === 400 && { title: 'Invalid request' }),
          detail: fields.map((e) => `${e.field}: ${e.message}`).join('; '),
          errors: fields,
        });
      }

      let accepted = 0;
      let duplicates = 0;
      const results = raw.map((event, index) => {
        const known = statuses.get(index) ?? { status: 'rejected' as const };
        if (known.status === 'accepted') accepted++;
        else if (known.status === 'duplicate') duplicates++;
        const transactionId = (event as { transactionId?: unknown } | null)?.transactionId;
        return {
          index,
          transactionId: typeof transactionId === 'string' ? transactionId : null,
          ...known,
        };
      });
      const rejected = raw.length - accepted - duplicates;
      return reply.code(rejected > 0 ? 207 : 200).send({
        accepted,
        duplicates,
        rejected,
        results,
        errors: errors.map(({ index, field, message }) => ({ index, field, message })),
      });
    },
  );

  done();
};

export default events;
