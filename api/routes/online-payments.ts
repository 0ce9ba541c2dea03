// "Pay online" from the hosted invoice page: POST /hosted/invoices/:id/pay, signed like the page
// (its expires and signature in the query), opens the provider's checkout for the amount due (or
// finds the one a first click opened) and answers 303 to it. Registered only when a provider is
// configured (STRIPE_SECRET_KEY). The customer comes back to a freshly signed hosted link.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { openCheckout } from '../../services/online-payments.ts';
import { SIGNED_LINK_HEADERS } from '../hosted-pages.ts';
import { problemResponse } from '../schemas/common.ts';
import { answeringRefusals } from '../services.ts';

const Params = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

// As the hosted page's: a link missing either part is a 403 like any other bad link.
const SignedQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 20, description: 'As the page’s link.' })),
  signature: Type.Optional(Type.String({ maxLength: 100, description: 'As the page’s link.' })),
});

/** How long the link the customer comes back to stays valid. */
const RETURN_LINK_DAYS = 30;

const onlinePayments: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const checkout = app.paymentCheckout;
  if (!checkout) return done();
  // The page's button is a form: the browser posts it url-encoded, with no field we read.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_request, _body, next) => next(null, {}),
  );

  app.post(
    '/hosted/invoices/:id/pay',
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'Pay an invoice online (customer link)',
        description:
          'The hosted page’s “Pay online” button: opens the payment provider’s checkout ' +
          '(Stripe Checkout) for the amount due and redirects there. A second click for the ' +
          'same amount due goes to the same checkout. Signed like the page; no API key.',
        params: Params,
        querystring: SignedQuery,
        response: {
          303: {
            description: 'To the provider’s checkout page.',
            type: 'null',
            headers: { location: { type: 'string', description: 'The checkout URL.' } },
          },
          403: problemResponse('The link is not valid (wrong or missing signature).'),
          404: problemResponse('No such invoice.'),
          409: problemResponse('The invoice has nothing due (paid, void or a draft).'),
          410: problemResponse('The link has expired.'),
          503: problemResponse(
            'Hosted links are not configured, or the payment provider did not answer.',
          ),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      app.hostedLinks.assertValid(id, request.query);
      const url = await answeringRefusals(() =>
        openCheckout(app.db, checkout, {
          invoiceId: id,
          returnUrl: app.hostedLinks.create(id, RETURN_LINK_DAYS).url,
        }),
      );
      return reply.code(303).headers(SIGNED_LINK_HEADERS).header('location', url).send();
    },
  );
  done();
};

export default onlinePayments;
