// Prometheus metrics of this API process (GET /metrics, outside /v1: no API key, no rate limit):
// what billing did here (observability/metrics.ts) and Node's process metrics. Guarded by
// BILLWRIGHT_METRICS_TOKEN when set. Not the billable metrics of usage (/v1/metrics).
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { collectProcessMetrics, exposition } from '../../observability/metrics.ts';
import { metricsScrapeAllowed } from '../../observability/metrics-server.ts';
import { unauthorized } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';

const prometheus: FastifyPluginCallbackTypebox<{ token: string | undefined }> = (
  app,
  options,
  done,
) => {
  collectProcessMetrics();
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['Prometheus'],
        summary: 'Prometheus metrics',
        description:
          'This process’s counters and histograms in the Prometheus text format (invoices issued, ' +
          'emails sent, credit notes, payments, activity attempts and failures, due-to-issued ' +
          'lag, Node process metrics): docs/OPERATIONS.md "Metrics" lists them. Needs no API key ' +
          'and is not rate limited; when BILLWRIGHT_METRICS_TOKEN is set, send it as ' +
          '`Authorization: Bearer <token>`.',
        response: {
          200: {
            description: 'The exposition text (version 0.0.4).',
            content: { 'text/plain': { schema: Type.String() } },
          },
          401: problemResponse('BILLWRIGHT_METRICS_TOKEN is set and was not sent.'),
        },
      },
    },
    async (request, reply) => {
      if (!metricsScrapeAllowed(request.headers.authorization, options.token)) {
        throw unauthorized('Send the metrics token: Authorization: Bearer <token>.');
      }
      const { contentType, body } = await exposition();
      return reply.type(contentType).send(body);
    },
  );
  done();
};

export default prometheus;
