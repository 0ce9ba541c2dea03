// POST /v1/customers/:id/portal-links: the operator asks for a customer's magic link into the
// customer portal, emailed to the customer (in their language) and returned. The use case is in
// services/portal-sessions.ts; the portal itself in api/routes/portal*.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { issuePortalLink } from '../../services/portal-sessions.ts';
import { portalLinkDependencies } from '../portal/session.ts';
import { described, IdParams, problemResponse } from '../schemas/common.ts';
import {
  PortalLinkBody,
  PortalLinkSchema,
  portalNotConfigured,
  toPortalLink,
} from '../schemas/portal.ts';
import { answeringRefusals } from '../services.ts';

const portalLinks: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/customers/:id/portal-links',
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'Send a customer a sign-in link to their portal',
        description:
          'Creates a magic link into the customer portal (/portal): signed, valid for 15 minutes ' +
          'and good for one session. By default it is emailed to the customer’s billing address ' +
          'in their language (`sendEmail: false` only returns it). Each request makes a new link; ' +
          'with the same Idempotency-Key the first answer is replayed and nothing is sent twice.',
        params: IdParams,
        body: PortalLinkBody,
        response: {
          201: described(PortalLinkSchema, 'The link, and whether it was emailed.'),
          404: problemResponse('No customer has this id.'),
          503: portalNotConfigured,
        },
      },
    },
    async (request, reply) => {
      const link = await answeringRefusals(() =>
        issuePortalLink(portalLinkDependencies(app), request.params.id, {
          sendEmail: request.body.sendEmail ?? true,
        }),
      );
      return reply.code(201).send(toPortalLink(link));
    },
  );
  done();
};

export default portalLinks;
