// The portal's links to a customer's documents: GET /portal/invoices/:id, /portal/credit-notes/:id
// and /portal/receipts/:id (each with /pdf) check, in the session, that the document is the
// customer's, then redirect to its signed hosted page (api/routes/hosted.ts), the page its email
// links to and where an open invoice is paid. Another customer's document is a 404, as an id
// that does not exist.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { portalDocumentLink, type PortalDocumentKind } from '../../services/portal.ts';
import { seeOther, sendPage } from '../dashboard/replies.ts';
import { noticePage, translatorOf } from '../portal/pages.ts';
import { signedInReader } from '../portal/session.ts';
import { PORTAL_PATH } from '../portal/session-cookie.ts';
import { Problem } from '../problem.ts';
import {
  DocumentParams,
  portalNotConfigured,
  portalPage,
  redirectResponse,
} from '../schemas/portal.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const DOCUMENTS: { kind: PortalDocumentKind; name: string }[] = [
  { kind: 'invoices', name: 'an invoice' },
  { kind: 'credit-notes', name: 'a credit note' },
  { kind: 'receipts', name: 'a receipt (by its payment id)' },
];

const portalDocuments: FastifyPluginCallbackTypebox = (app, _options, done) => {
  for (const { kind, name } of DOCUMENTS) {
    for (const pdf of [false, true]) {
      app.get(
        `${PORTAL_PATH}/${kind}/:id${pdf ? '/pdf' : ''}`,
        {
          schema: {
            tags: ['Customer portal'],
            summary: `Open ${name}${pdf ? ' as PDF' : ''} from the portal`,
            description:
              `Redirects to the signed hosted ${pdf ? 'PDF' : 'page'} of the customer’s own document ` +
              '(valid for an hour). Without a session, to the sign-in page.',
            params: DocumentParams,
            response: {
              303: redirectResponse('To the signed hosted page, or to the sign-in page.'),
              404: portalPage('Not the customer’s document (or none has this id): a page says so.'),
              503: portalNotConfigured,
            },
          },
        },
        async (request, reply) => {
          const reader = await signedInReader(app, request);
          if (!reader) return seeOther(reply, `${PORTAL_PATH}/login`);
          try {
            const location = await answeringRefusals(() =>
              portalDocumentLink(
                { ...serviceDependencies(app), signingSecret: app.portal.signingSecret },
                reader.customer.id,
                { kind, id: request.params.id, pdf },
              ),
            );
            return seeOther(reply, location);
          } catch (error) {
            if (!(error instanceof Problem) || error.status !== 404) throw error;
            const t = translatorOf(reader);
            const notice = {
              heading: t('portal.notice.notFoundTitle'),
              message: t('portal.notice.notFoundText'),
              actionHref: `${PORTAL_PATH}/invoices`,
              actionLabel: t('portal.notice.backToOverview'),
            };
            return sendPage(reply, 404, noticePage(app, reader, notice));
          }
        },
      );
    }
  }
  done();
};

export default portalDocuments;
