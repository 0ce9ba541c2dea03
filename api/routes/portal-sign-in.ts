// Getting into the customer portal, outside /v1 and without an API key. GET /portal/login is the
// form where a customer types their billing email; POST /portal/login emails them a magic link
// if a customer has that address, and answers the same page whatever happened (no account
// enumeration), limited per client address. The link (GET /portal/links/:id) shows one button;
// its POST consumes the link once and sets the session cookie (a mail scanner that follows the
// link does not use it up). Logout is with the pages (api/routes/portal.ts). Use cases:
// services/portal-sessions.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { ApiRateLimits } from '../../config/index.ts';
import {
  checkPortalLink,
  PORTAL_LINK_MINUTES,
  PORTAL_SESSION_HOURS,
  requestPortalLinkByEmail,
  signInWithPortalLink,
} from '../../services/portal-sessions.ts';
import { acceptFormPosts, seeOther, sendPage } from '../dashboard/replies.ts';
import { SIGNED_LINK_HEADERS } from '../hosted-pages.ts';
import { authFailureLimiter } from '../plugins/auth.ts';
import {
  noticePage,
  renderPortalPage,
  refusalPage,
  translatorOf,
  visitorLocale,
  type Reader,
} from '../portal/pages.ts';
import { portalLinkDependencies } from '../portal/session.ts';
import { LOGIN_PATH, portalCookie, PORTAL_PATH } from '../portal/session-cookie.ts';
import { HtmlDocument } from '../schemas/common.ts';
import {
  LinkBody,
  LinkParams,
  LinkQuery,
  LoginBody,
  LoginQuery,
  portalNotConfigured,
  portalPage,
  redirectResponse,
} from '../schemas/portal.ts';
import { answeringRefusals } from '../services.ts';

const linkRefusals = {
  403: portalPage('The link is not valid (wrong or missing signature): a page says so.'),
  410: portalPage('The link has expired, or was used already: a page says so.'),
  503: portalNotConfigured,
};

const portalSignIn: FastifyPluginCallbackTypebox<{ rateLimits: ApiRateLimits }> = (
  app,
  options,
  done,
) => {
  const requests = authFailureLimiter(options.rateLimits.authFailuresPerMinute);
  acceptFormPosts(app);
  const visitor = (acceptLanguage: string | undefined): Reader => ({
    locale: visitorLocale(acceptLanguage),
  });

  app.get(
    LOGIN_PATH,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'The portal’s sign-in page (browser page)',
        description: 'A form for the billing email address, posted to POST /portal/login.',
        querystring: LoginQuery,
        response: { 200: HtmlDocument },
      },
    },
    async (request, reply) => {
      const reader = visitor(request.headers['accept-language']);
      const ended = request.query.session === 'ended';
      const notice = ended ? translatorOf(reader)('portal.signIn.sessionEnded') : undefined;
      return sendPage(
        reply,
        200,
        renderPortalPage(app, 'sign-in', reader, { notice, noticeTone: 'ok' }),
      );
    },
  );

  app.post(
    LOGIN_PATH,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'Ask for a sign-in link by email',
        description:
          'Emails a magic link to every customer billed at this address (at most 3 per customer ' +
          `per ${PORTAL_LINK_MINUTES} minutes) and answers the same page whether or not one ` +
          'exists. Each request counts against the per-address limit of failed authentications.',
        body: LoginBody,
        response: {
          200: portalPage('The sign-in page, saying a link is on its way if the address is known.'),
          429: portalPage('Too many requests from this address: the page says when to retry.'),
          503: portalNotConfigured,
        },
      },
    },
    async (request, reply) => {
      const reader = visitor(request.headers['accept-language']);
      const t = translatorOf(reader);
      const now = Date.now();
      const blocked = requests.blockedFor(request.ip, now);
      if (blocked > 0) {
        reply.header('retry-after', String(blocked));
        const notice = t('portal.signIn.tooMany', { seconds: blocked });
        return sendPage(
          reply,
          429,
          renderPortalPage(app, 'sign-in', reader, { notice, noticeTone: 'error' }),
        );
      }
      requests.fail(request.ip, now);
      await answeringRefusals(() =>
        requestPortalLinkByEmail(portalLinkDependencies(app), request.body.email),
      );
      const notice = t('portal.signIn.sent');
      return sendPage(
        reply,
        200,
        renderPortalPage(app, 'sign-in', reader, { notice, noticeTone: 'ok' }),
      );
    },
  );

  app.get(
    `${PORTAL_PATH}/links/:id`,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'Open a magic link (browser page)',
        description:
          'Checks the link’s signature and expiry and shows one button that posts it to ' +
          'POST /portal/links/{id}. Nothing is used up until then.',
        params: LinkParams,
        querystring: LinkQuery,
        response: { 200: HtmlDocument, ...linkRefusals },
      },
    },
    async (request, reply) => {
      reply.headers(SIGNED_LINK_HEADERS);
      const check = await answeringRefusals(() =>
        checkPortalLink(app.db, app.portal.signingSecret, request.params.id, request.query),
      );
      const reader = check.locale
        ? { locale: check.locale }
        : visitor(request.headers['accept-language']);
      if (!check.ok) {
        const { status, notice } = refusalPage(check.reason, translatorOf(reader));
        return sendPage(reply, status, noticePage(app, reader, notice));
      }
      return sendPage(
        reply,
        200,
        renderPortalPage(app, 'link', reader, {
          action: `${PORTAL_PATH}/links/${encodeURIComponent(request.params.id)}`,
          expires: request.query.expires,
          signature: request.query.signature,
        }),
      );
    },
  );

  app.post(
    `${PORTAL_PATH}/links/:id`,
    {
      schema: {
        tags: ['Customer portal'],
        summary: 'Sign in with a magic link',
        description:
          'Uses the link up (once: a second use is refused) and opens a session: an HttpOnly, ' +
          `SameSite=Lax cookie on /portal that ends after 30 idle minutes, ${PORTAL_SESSION_HOURS} hours ` +
          'in all, or at logout. Redirects to the overview.',
        params: LinkParams,
        body: LinkBody,
        response: {
          303: redirectResponse('Signed in: to the overview, with the session cookie.'),
          ...linkRefusals,
        },
      },
    },
    async (request, reply) => {
      reply.headers(SIGNED_LINK_HEADERS);
      const outcome = await answeringRefusals(() =>
        signInWithPortalLink(app.db, app.portal.signingSecret, request.params.id, request.body),
      );
      if (!outcome.ok) {
        const reader = outcome.locale
          ? { locale: outcome.locale }
          : visitor(request.headers['accept-language']);
        const { status, notice } = refusalPage(outcome.reason, translatorOf(reader));
        return sendPage(reply, status, noticePage(app, reader, notice));
      }
      const maxAge = (outcome.expiresAt.getTime() - Date.now()) / 1000;
      const cookie = portalCookie(outcome.token, maxAge, app.portal.publicBaseUrl);
      return seeOther(reply, PORTAL_PATH, cookie);
    },
  );

  done();
};

export default portalSignIn;
