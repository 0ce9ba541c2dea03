// Threshold billing (issue #14): PATCH a subscription's billing threshold. Set at creation too
// (POST /v1/subscriptions, billingThreshold); the use case is in services/thresholds.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { changeBillingThreshold } from '../../services/thresholds.ts';
import { described, IdParams, problemResponse } from '../schemas/common.ts';
import { SubscriptionSchema } from '../schemas/subscriptions.ts';
import { BillingThresholdBody } from '../schemas/thresholds.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const thresholds: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.patch(
    '/subscriptions/:id',
    {
      schema: {
        tags: ['Subscriptions'],
        summary: 'Change a subscription’s billing threshold',
        description:
          'Sets (or, with null, removes) the billing threshold: when the current period’s unbilled ' +
          'usage reaches it, an interim invoice bills the usage so far, once, and the period-end ' +
          'invoice bills only the rest. A threshold at or below the usage so far bills it at once. ' +
          'Refused (409) once the subscription is canceled or ended.',
        params: IdParams,
        body: BillingThresholdBody,
        response: {
          200: described(SubscriptionSchema, 'The subscription, as stored.'),
          404: problemResponse('No subscription has this id.'),
          409: problemResponse('The subscription is canceled or ended.'),
          422: problemResponse('The threshold is not a whole number of minor units above zero.'),
        },
      },
    },
    async (request) =>
      answeringRefusals(() =>
        changeBillingThreshold(
          serviceDependencies(app),
          request.params.id,
          request.body.billingThreshold,
        ),
      ),
  );
  done();
};

export default thresholds;
