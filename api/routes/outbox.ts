// The development outbox (read-only): GET /v1/outbox, GET /v1/outbox/:id, GET /v1/outbox/:id/html.
// With the development email provider, every email the platform sends lands here.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { OutboxMessage as OutboxRow } from '../../db/database.ts';
import { findOutboxMessages, outboxMessage } from '../../services/outbox.ts';
import {
  DEFAULT_LIMIT,
  described,
  HtmlDocument,
  IdParams,
  iso,
  Limit,
  StartingAfter,
  ListOf,
  problemResponse,
  Timestamp,
} from '../schemas/common.ts';
import { answeringRefusals } from '../services.ts';
import { sendStoredHtml } from '../stored-documents.ts';

const AttachmentSummary = Type.Object({
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ minimum: 0, description: 'Bytes.' }),
});

const summaryFields = {
  id: Type.String({ examples: ['msg_abcdefghijklmnopqrst'] }),
  from: Type.String(),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  attachments: Type.Array(AttachmentSummary),
  createdAt: Timestamp,
};

const OutboxMessageSummarySchema = Type.Object(summaryFields, {
  $id: 'OutboxMessageSummary',
  title: 'OutboxMessageSummary',
});

const OutboxMessageSchema = Type.Object(
  {
    ...summaryFields,
    html: Type.String(),
    text: Type.String(),
    attachments: Type.Array(
      Type.Object({
        filename: Type.String(),
        contentType: Type.String(),
        size: Type.Integer({ minimum: 0 }),
        content: Type.String({ description: 'Base64.' }),
      }),
    ),
  },
  { $id: 'OutboxMessage', title: 'OutboxMessage' },
);

const ListOutboxQuery = Type.Object(
  {
    to: Type.Optional(
      Type.String({ minLength: 1, maxLength: 320, description: 'Only messages to this address.' }),
    ),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

function attachments(row: OutboxRow) {
  return row.attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    size: Buffer.byteLength(a.content, 'base64'),
    content: a.content,
  }));
}

function toOutboxSummary(row: OutboxRow) {
  return {
    id: row.id,
    from: row.from_address,
    to: row.to_addresses,
    subject: row.subject,
    attachments: attachments(row).map(({ filename, contentType, size }) => ({
      filename,
      contentType,
      size,
    })),
    createdAt: iso(row.created_at),
  };
}

function toOutboxMessage(row: OutboxRow) {
  return { ...toOutboxSummary(row), html: row.html, text: row.text, attachments: attachments(row) };
}

const outbox: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/outbox',
    {
      schema: {
        tags: ['Outbox'],
        summary: 'List sent emails',
        description:
          'Messages in the development outbox, newest first, optionally to one recipient.',
        querystring: ListOutboxQuery,
        response: { 200: ListOf(OutboxMessageSummarySchema, 'A page of messages.') },
      },
    },
    async (request) => {
      const { to, startingAfter, limit = DEFAULT_LIMIT } = request.query;
      const rows = await findOutboxMessages(app.db, { to, startingAfter, limit: limit + 1 });
      return { data: rows.slice(0, limit).map(toOutboxSummary), hasMore: rows.length > limit };
    },
  );

  app.get(
    '/outbox/:id',
    {
      schema: {
        tags: ['Outbox'],
        summary: 'Get a sent email',
        description: 'One message with its HTML and text bodies and attachments (base64).',
        params: IdParams,
        response: {
          200: described(OutboxMessageSchema, 'The message.'),
          404: problemResponse('No message has this id.'),
        },
      },
    },
    async (request) =>
      toOutboxMessage(await answeringRefusals(() => outboxMessage(app.db, request.params.id))),
  );

  app.get(
    '/outbox/:id/html',
    {
      schema: {
        tags: ['Outbox'],
        summary: 'Get a sent email as HTML',
        description: 'The HTML body of one message, as a page.',
        params: IdParams,
        response: { 200: HtmlDocument, 404: problemResponse('No message has this id.') },
      },
    },
    async (request, reply) => {
      const row = await answeringRefusals(() => outboxMessage(app.db, request.params.id));
      return sendStoredHtml(reply, row.html);
    },
  );

  done();
};

export default outbox;
