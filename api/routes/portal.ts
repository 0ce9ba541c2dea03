// The customer portal's pages, outside /v1, behind the session cookie of a magic link
// (api/routes/portal-sign-in.ts): GET /portal (what is due, each subscription and its next
// invoice), GET /portal/invoices (invoices, credit notes and receipts, each linked through
// api/routes/portal-documents.ts), and GET/POST /portal/billing-details (the customer's own
// details, corrected by the customers service as PATCH /v1/customers/:id corrects them; the form
// carries the session's CSRF token), and POST /portal/logout. Without a session every page
// redirects to the sign-in page.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSessionForm, signOutOfPortal } from '../../services/portal-sessions.ts';
import { portalDocuments, portalOverview } from '../../services/portal.ts';
import { acceptFormPosts, seeOther, sendPage } from '../dashboard/replies.ts';
import { formOf, submitBillingForm, toBillingDetailsPage } from '../portal/billing-form.ts';
import {
  noticePage,
  renderPortalPage,
  toDocumentsPage,
  toOverviewPage,
  translatorOf,
} from '../portal/pages.ts';
import { signedInReader } from '../portal/session.ts';
import { LOGIN_PATH, portalCookie, portalToken, PORTAL_PATH } from '../portal/session-cookie.ts';
import { HtmlDocument, problemResponse } from '../schemas/common.ts';
import {
  BillingDetailsForm,
  CsrfBody,
  formOrSchemaRefusal,
  portalPage,
  redirectResponse,
} from '../schemas/portal.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const noSession = redirectResponse('No session, or it ended: to the sign-in page.');

/** The signed-in reader, or a See Other to the sign-in page (saying so if a session ended). */
async function readerOrSignIn(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const reader = await signedInReader(app, request);
  if (reader) return { reader };
  const ended = portalToken(request.headers.cookie) !== undefined;
  return {
    redirect: ended
      ? seeOther(
          reply,
          `${PORTAL_PATH}/login?session=ended`,
          portalCookie('', 0, app.portal.publicBaseUrl),
        )
      : seeOther(reply, `${PORTAL_PATH}/login`),
  };
}

const portal: FastifyPluginCallbackTypebox = (app, _options, done) => {
  acceptFormPosts(app);

  app.get(
    PORTAL_PATH,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'The portal’s overview (browser page)',
        description:
          'The amount due, the unpaid invoices with a Pay link each, and every subscription ' +
          'with its plan, status, period and next invoice (the upcoming-invoice preview).',
        response: { 200: HtmlDocument, 303: noSession },
      },
    },
    async (request, reply) => {
      const { reader, redirect } = await readerOrSignIn(app, request, reply);
      if (!reader) return redirect;
      const overview = await answeringRefusals(() =>
        portalOverview({ ...serviceDependencies(app), tax: app.tax }, reader.customer.id),
      );
      return sendPage(
        reply,
        200,
        renderPortalPage(app, 'overview', reader, toOverviewPage(overview)),
      );
    },
  );

  app.get(
    `${PORTAL_PATH}/invoices`,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'The portal’s invoices, credit notes and receipts (browser page)',
        description:
          'Each with its status and links to its page and PDF (the signed hosted pages, where an ' +
          'open invoice can be paid).',
        response: { 200: HtmlDocument, 303: noSession },
      },
    },
    async (request, reply) => {
      const { reader, redirect } = await readerOrSignIn(app, request, reply);
      if (!reader) return redirect;
      const documents = await answeringRefusals(() =>
        portalDocuments(serviceDependencies(app), reader.customer.id),
      );
      return sendPage(
        reply,
        200,
        renderPortalPage(app, 'invoices', reader, toDocumentsPage(documents)),
      );
    },
  );

  app.get(
    `${PORTAL_PATH}/billing-details`,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'The customer’s billing details form (browser page)',
        description: 'Name, billing email, address, country, VAT number and document language.',
        response: { 200: HtmlDocument, 303: noSession },
      },
    },
    async (request, reply) => {
      const { reader, redirect } = await readerOrSignIn(app, request, reply);
      if (!reader) return redirect;
      const context = toBillingDetailsPage(translatorOf(reader), formOf(reader.customer));
      return sendPage(reply, 200, renderPortalPage(app, 'billing-details', reader, context));
    },
  );

  app.post(
    `${PORTAL_PATH}/billing-details`,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'Save the customer’s billing details',
        description:
          'Checked as PATCH /v1/customers/{id} checks a correction (the same schemas and ' +
          'service); invoices finalized from now on carry the new details. A refusal answers the ' +
          'form again, naming each field at fault. The form’s CSRF token must be the session’s.',
        body: BillingDetailsForm,
        response: {
          200: portalPage('Saved: the form again, with the details as stored.'),
          303: noSession,
          400: formOrSchemaRefusal,
          403: portalPage('The form’s CSRF token is not the session’s: a page says so.'),
          422: portalPage('A field is not acceptable (the customers service): the form names it.'),
        },
      },
    },
    async (request, reply) => {
      const { reader, redirect } = await readerOrSignIn(app, request, reply);
      if (!reader) return redirect;
      const t = translatorOf(reader);
      if (!isSessionForm(reader.session, request.body.csrfToken)) {
        const notice = {
          heading: t('portal.notice.formExpiredTitle'),
          message: t('portal.notice.formExpiredText'),
          actionHref: `${PORTAL_PATH}/billing-details`,
          actionLabel: t('portal.nav.billingDetails'),
        };
        return sendPage(reply, 403, noticePage(app, reader, notice));
      }
      const outcome = await submitBillingForm(app, reader, request.body);
      const context = toBillingDetailsPage(translatorOf(outcome.reader), outcome.form, outcome);
      return sendPage(
        reply,
        outcome.status,
        renderPortalPage(app, 'billing-details', outcome.reader, context),
      );
    },
  );

  app.post(
    `${PORTAL_PATH}/logout`,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'Sign out of the portal',
        description:
          'Ends the session on the server, deletes the cookie and redirects to the sign-in page. ' +
          'The form’s CSRF token must be the session’s.',
        body: CsrfBody,
        response: {
          303: redirectResponse('Signed out (or no session): to the sign-in page.'),
          400: problemResponse('The form lacks its CSRF token: not a portal form.'),
          403: portalPage('The form’s CSRF token is not the session’s: a page says so.'),
        },
      },
    },
    async (request, reply) => {
      const signedIn = await signedInReader(app, request);
      if (signedIn && !isSessionForm(signedIn.session, request.body.csrfToken)) {
        const t = translatorOf(signedIn);
        return sendPage(
          reply,
          403,
          noticePage(app, signedIn, {
            heading: t('portal.notice.formExpiredTitle'),
            message: t('portal.notice.formExpiredText'),
            actionHref: PORTAL_PATH,
            actionLabel: t('portal.notice.backToOverview'),
          }),
        );
      }
      await signOutOfPortal(app.db, portalToken(request.headers.cookie));
      const deleted = portalCookie('', 0, app.portal.publicBaseUrl);
      return seeOther(reply, `${LOGIN_PATH}?session=ended`, deleted);
    },
  );

  done();
};

export default portal;
