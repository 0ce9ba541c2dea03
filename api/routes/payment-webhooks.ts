// The payment-provider port over HTTP: POST /webhooks/payments/<provider>, authenticated by the
// provider's signature (not an API key), received through the same idempotent use case as the
// manual API (services/payments.ts; the provider's payment id is the reference), which then
// tells the invoice's collection. A provider retries until it gets a 2xx, so a retry after a 503
// records nothing twice.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { WebhookSignatureError, type PaymentProvider } from '../../payments/provider.ts';
import { receivePaymentFailure } from '../../services/online-payments.ts';
import { receivePayment } from '../../services/payments.ts';
import { Refused } from '../../services/refused.ts';
import { badRequest, notFound, refusalProblem } from '../problem.ts';
import { problemResponse } from '../schemas/common.ts';
import { serviceDependencies } from '../services.ts';

const WebhookAnswer = Type.Object(
  {
    received: Type.Boolean(),
    eventId: Type.String(),
    paymentId: Type.Union([Type.String(), Type.Null()], {
      description: 'The payment recorded (or found again); null for an event that records none.',
    }),
    failureId: Type.Optional(
      Type.String({
        description:
          'A failed attempt recorded (or found again): nothing is paid; payment.failed is emitted.',
      }),
    ),
    ignored: Type.Optional(Type.String({ description: 'Why the event records no payment.' })),
  },
  { description: 'The event was received (a 2xx stops the provider retrying it).' },
);

const paymentWebhooks: FastifyPluginCallbackTypebox<{ providers: PaymentProvider[] }> = (
  app,
  options,
  done,
) => {
  const providers = new Map(options.providers.map((p) => [p.name, p]));
  // The signature covers the exact bytes sent: keep the body as a string (this plugin only).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, next) =>
    next(null, body),
  );

  app.post(
    '/payments/:provider',
    {
      schema: {
        tags: ['Collections'],
        summary: 'Receive a payment provider’s webhook',
        description:
          'For providers, not API clients: authenticated by the provider’s signature ' +
          '(Stripe: the Stripe-Signature header, checked against STRIPE_WEBHOOK_SECRET). A ' +
          '`payment_intent.succeeded` or a paid `checkout.session.completed` with ' +
          '`metadata.invoice_id` records a payment whose reference is the PaymentIntent id, ' +
          'exactly once however often it is delivered; a `payment_intent.payment_failed` ' +
          'records a failed attempt (nothing paid) and emits `payment.failed`, once per event. ' +
          'Other events are acknowledged and ignored.',
        params: Type.Object(
          { provider: Type.String({ minLength: 1, maxLength: 32, examples: ['stripe'] }) },
          { additionalProperties: false },
        ),
        response: {
          200: WebhookAnswer,
          400: problemResponse('The signature is missing, stale or wrong.'),
          404: problemResponse('No such provider is configured.'),
          503: problemResponse('Recorded, but Temporal is unavailable: the provider retries.'),
        },
      },
    },
    async (request) => {
      const provider = providers.get(request.params.provider);
      if (!provider) throw notFound(`No payment provider ${request.params.provider} is set up.`);
      let read;
      try {
        read = provider.eventOf({
          rawBody: typeof request.body === 'string' ? request.body : '',
          headers: request.headers,
          now: Math.floor(Date.now() / 1000),
        });
      } catch (error) {
        if (error instanceof WebhookSignatureError) {
          throw badRequest(error.message, [
            { field: `${provider.name}-signature`, message: error.message },
          ]);
        }
        throw error;
      }
      const { eventId, payment, failure } = read;
      if (failure) {
        const recorded = await receivePaymentFailure(app.db, {
          ...failure,
          source: provider.name,
          eventId,
        });
        return recorded
          ? { received: true, eventId, paymentId: null, failureId: recorded.id }
          : { received: true, eventId, paymentId: null, ignored: 'no such invoice' };
      }
      if (!payment) {
        return { received: true, eventId, paymentId: null, ignored: 'not a payment' };
      }
      let recorded;
      try {
        recorded = await receivePayment(serviceDependencies(app), {
          ...payment,
          source: provider.name,
        });
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        // Temporal unavailable fails, so the provider retries (the payment is already stored);
        // a permanent refusal is acknowledged (or the provider retries for days) and logged for
        // an operator. Anything else (the database down) fails too.
        if (error.kind === 'unavailable') throw refusalProblem(error);
        request.log.warn({ eventId, error: error.message }, 'provider payment not recorded');
        return { received: true, eventId, paymentId: null, ignored: error.message };
      }
      return { received: true, eventId, paymentId: recorded.payment.id };
    },
  );
  done();
};

export default paymentWebhooks;
