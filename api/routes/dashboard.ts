// The finance dashboard, a page of the API outside /v1: GET /dashboard shows MRR movements,
// receivables by age and cash collected as charts, overdue invoices and upcoming renewals as
// tables, each customer linked to its workflows in the Temporal UI. Its figures are the insights
// API's answers. Finance signs in on GET /dashboard/sign-in with an API key that has the read
// scope; POST /dashboard/sign-in exchanges it for a signed session cookie (see
// services/dashboard-sessions.ts), checked on every page as API keys are; POST
// /dashboard/sign-out ends it. The page's script, style sheet and Chart.js are served from
// /dashboard/assets/, so the Content-Security-Policy allows scripts from this origin only.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { ApiRateLimits } from '../../config/index.ts';
import { financeDashboard } from '../../services/dashboard.ts';
import { DASHBOARD_SESSION_MINUTES, signInToDashboard } from '../../services/dashboard-sessions.ts';
import { toDashboardAnswers } from '../dashboard/answers.ts';
import { DASHBOARD_ASSET_NAMES, loadDashboardAssets } from '../dashboard/assets.ts';
import {
  ASSETS_PATH,
  DASHBOARD_PATH,
  dashboardPage,
  SESSION_ENDED,
  SIGN_IN_PATH,
  SIGN_OUT_PATH,
  signInPage,
  signInRefusal,
  tooManySignIns,
} from '../dashboard/pages.ts';
import { acceptFormPosts, seeOther, sendPage } from '../dashboard/replies.ts';
import { secureCookies, sessionCookies } from '../dashboard/session-cookie.ts';
import { localeOf } from '../hosted-pages.ts';
import { authFailureLimiter } from '../plugins/auth.ts';
import { notFound } from '../problem.ts';
import { HtmlDocument, problemResponse } from '../schemas/common.ts';
import {
  AssetParams,
  AssetResponse,
  DashboardQuery,
  htmlRefusal,
  notConfigured,
  redirectResponse,
  SignInBody,
  SignInQuery,
} from '../schemas/dashboard.ts';
import { answeringRefusals } from '../services.ts';

export interface DashboardOptions {
  /** Signs the session cookies (BILLWRIGHT_SIGNING_SECRET); unset: the dashboard answers 503. */
  signingSecret: string | undefined;
  /** Where clients reach the API: decides whether the cookie must be Secure. */
  publicBaseUrl: string;
  /** The Temporal UI customers' workflows are linked to; unset: no links. */
  temporalUiUrl: string | undefined;
  /** Failed sign-ins per client address, as failed authentications on /v1. */
  rateLimits: ApiRateLimits;
}

const dashboard: FastifyPluginCallbackTypebox<DashboardOptions> = (app, options, done) => {
  const assets = loadDashboardAssets();
  const failures = authFailureLimiter(options.rateLimits.authFailuresPerMinute);
  const secure = secureCookies(options.publicBaseUrl);
  const temporalUi = options.temporalUiUrl
    ? { baseUrl: options.temporalUiUrl, namespace: app.temporal.options.namespace }
    : undefined;
  const sessions = sessionCookies(app.db, options.signingSecret, secure);
  acceptFormPosts(app);

  app.get(
    DASHBOARD_PATH,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'The finance dashboard (browser page)',
        description:
          'MRR movements, receivables by age and cash collected as charts; overdue invoices and ' +
          'the next 30 days of renewals as tables; key figures. The figures are the answers of ' +
          '/v1/insights/* for the same query. Needs the session cookie of POST /dashboard/sign-in; ' +
          'without one, redirects to the sign-in page.',
        querystring: DashboardQuery,
        response: {
          200: HtmlDocument,
          303: redirectResponse('No session, or it ended: to the sign-in page.'),
          422: problemResponse('A currency or month range the insights cannot answer.'),
          503: notConfigured,
        },
      },
    },
    async (request, reply) => {
      const session = await sessions.of(request.headers.cookie);
      if (!session.ok) {
        const ended = session.token !== undefined;
        return ended
          ? seeOther(reply, `${SIGN_IN_PATH}?session=ended`, sessions.deleted)
          : seeOther(reply, SIGN_IN_PATH);
      }
      // The page's own form sends a field it left empty as "": the default.
      const { currency, from, to, asOf } = request.query;
      const found = await answeringRefusals(() =>
        financeDashboard(app.db, {
          currency,
          from: from || undefined,
          to: to || undefined,
          asOf: asOf ? new Date(asOf) : new Date(),
        }),
      );
      const locale = localeOf(request.headers['accept-language']?.split(/[,;]/)[0]);
      return sendPage(
        reply,
        200,
        dashboardPage(toDashboardAnswers(found), {
          keyName: session.session.keyName,
          locale,
          temporalUi,
        }),
      );
    },
  );

  app.get(
    SIGN_IN_PATH,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'The dashboard’s sign-in page',
        description:
          'A form for an API key with the read scope, posted to POST /dashboard/sign-in.',
        querystring: SignInQuery,
        response: { 200: HtmlDocument },
      },
    },
    async (request, reply) =>
      sendPage(
        reply,
        200,
        signInPage(request.query.session === 'ended' ? SESSION_ENDED : undefined),
      ),
  );

  app.post(
    SIGN_IN_PATH,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'Sign in to the dashboard',
        description:
          'Exchanges an API key with the read scope (form field `key`) for a session cookie ' +
          `(HttpOnly, SameSite=Strict, Path=/dashboard, ${DASHBOARD_SESSION_MINUTES} minutes) and redirects to the dashboard. ` +
          'A refused key answers the sign-in page again, saying why.',
        body: SignInBody,
        response: {
          303: redirectResponse('Signed in: to the dashboard, with the session cookie.'),
          401: htmlRefusal('The key is unknown or revoked: the sign-in page says so.'),
          403: htmlRefusal('The key lacks the read scope: the sign-in page says so.'),
          429: htmlRefusal(
            'Too many failed sign-ins from this address: the page says when to retry.',
          ),
          503: notConfigured,
        },
      },
    },
    async (request, reply) => {
      const signingSecret = sessions.secret();
      const now = Date.now();
      const blocked = failures.blockedFor(request.ip, now);
      if (blocked > 0) {
        reply.header('retry-after', String(blocked));
        return sendPage(reply, 429, signInPage(tooManySignIns(blocked)));
      }
      const outcome = await signInToDashboard(app.db, signingSecret, request.body.key.trim());
      if (!outcome.ok) {
        failures.fail(request.ip, now);
        const [status, message] = signInRefusal(outcome.reason);
        return sendPage(reply, status, signInPage(message));
      }
      const maxAge = (outcome.session.expiresAt.getTime() - now) / 1000;
      return seeOther(reply, DASHBOARD_PATH, sessions.cookie(outcome.token, maxAge));
    },
  );

  app.post(
    SIGN_OUT_PATH,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'Sign out of the dashboard',
        description: 'Deletes the session cookie and redirects to the sign-in page.',
        response: { 303: redirectResponse('Signed out: to the sign-in page.') },
      },
    },
    async (_request, reply) => seeOther(reply, SIGN_IN_PATH, sessions.deleted),
  );

  app.get(
    `${ASSETS_PATH}/:name`,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'The dashboard’s script, style sheet and Chart.js',
        description: `One of ${DASHBOARD_ASSET_NAMES.join(', ')}. No session needed: they hold no data.`,
        params: AssetParams,
        response: {
          200: AssetResponse,
          404: problemResponse('No such asset.'),
        },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) throw notFound(`No dashboard asset is named "${request.params.name}".`);
      return reply
        .type(asset.contentType)
        .header('cache-control', 'public, max-age=300')
        .send(asset.body);
    },
  );

  done();
};

export default dashboard;
