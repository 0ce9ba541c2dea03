// The finance dashboard, a page of the API outside /v1: GET /dashboard shows MRR movements,
// receivables by age and cash collected as charts, overdue invoices and upcoming renewals as
// tables, each customer linked to its workflows in the Temporal UI. Its figures are the insights
// API's answers. Finance signs in on GET /dashboard/sign-in with an API key that has the read
// scope; POST /dashboard/sign-in exchanges it for a signed session cookie (see
// services/dashboard-sessions.ts), checked on every page as API keys are; POST
// /dashboard/sign-out ends it. The page's script, style sheet and Chart.js are served from
// /dashboard/assets/, so the Content-Security-Policy allows scripts from this origin only.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiRateLimits } from '../../config/index.ts';
import { financeDashboard } from '../../services/dashboard.ts';
import {
  openDashboardSession,
  signInToDashboard,
  type DashboardSession,
} from '../../services/dashboard-sessions.ts';
import { DASHBOARD_ASSET_NAMES, loadDashboardAssets } from '../dashboard/assets.ts';
import {
  ASSETS_PATH,
  DASHBOARD_PATH,
  dashboardPage,
  SIGN_IN_PATH,
  SIGN_OUT_PATH,
  signInPage,
} from '../dashboard/pages.ts';
import { toDashboardAnswers } from '../dashboard/answers.ts';
import { localeOf } from '../hosted-pages.ts';
import { authFailureLimiter } from '../plugins/auth.ts';
import { notFound, serviceUnavailable } from '../problem.ts';
import { HtmlDocument, problemResponse } from '../schemas/common.ts';
import { answeringRefusals } from '../services.ts';
import { secureCookies, sessionCookie, sessionToken } from '../dashboard/session-cookie.ts';

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

const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (UTC).' });
const DashboardQuery = Type.Object(
  {
    currency: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{3}$',
        description: 'ISO 4217; default the currency most customers are billed in.',
      }),
    ),
    from: Type.Optional(Month),
    to: Type.Optional(Month),
    asOf: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'The instant the figures are as of; default now.',
      }),
    ),
  },
  { additionalProperties: false },
);
const SignInQuery = Type.Object({
  session: Type.Optional(
    Type.Literal('ended', { description: 'Set when a session ended: the page says so.' }),
  ),
});
const SignInBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });
const Redirect = (description: string) => ({
  description,
  headers: { location: { schema: Type.String() }, 'set-cookie': { schema: Type.String() } },
});
const HtmlRefusal = (description: string) => ({ ...HtmlDocument, description });
const notConfigured = problemResponse(
  'The dashboard is not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
);

const SIGN_IN_ERRORS = {
  unknown_key: [401, 'That API key is unknown or revoked. Check that it was copied in full.'],
  missing_scope: [
    403,
    'That API key lacks the read scope the dashboard needs. Ask for a read key.',
  ],
} as const;

const dashboard: FastifyPluginCallbackTypebox<DashboardOptions> = (app, options, done) => {
  const assets = loadDashboardAssets();
  const failures = authFailureLimiter(options.rateLimits.authFailuresPerMinute);
  const secure = secureCookies(options.publicBaseUrl);
  const temporalUi = options.temporalUiUrl
    ? { baseUrl: options.temporalUiUrl, namespace: app.temporal.options.namespace }
    : undefined;
  const secret = () => {
    if (!options.signingSecret)
      throw serviceUnavailable(
        'The finance dashboard is not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
      );
    return options.signingSecret;
  };
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);
  const redirect = (reply: FastifyReply, location: string, cookie?: string) => {
    if (cookie) reply.header('set-cookie', cookie);
    return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
  };
  /** The request's session, or undefined after answering with a redirect to the sign-in page. */
  const sessionOf = async (request: FastifyRequest): Promise<DashboardSession | undefined> => {
    const token = sessionToken(request.headers.cookie);
    if (token === undefined) return undefined;
    const check = await openDashboardSession(app.db, secret(), token);
    return check.ok ? check.session : undefined;
  };

  // The sign-in form posts url-encoded fields; only this plugin's routes accept them.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, body, next) => next(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

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
          303: Redirect('No session, or it ended: to the sign-in page.'),
          422: problemResponse('A currency or month range the insights cannot answer.'),
          503: notConfigured,
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!session) {
        const ended = sessionToken(request.headers.cookie) !== undefined;
        return redirect(
          reply,
          ended ? `${SIGN_IN_PATH}?session=ended` : SIGN_IN_PATH,
          ended ? sessionCookie('', 0, secure) : undefined,
        );
      }
      const { asOf, ...query } = request.query;
      const found = await answeringRefusals(() =>
        financeDashboard(app.db, {
          ...query,
          asOf: asOf === undefined ? new Date() : new Date(asOf),
        }),
      );
      const locale = localeOf(request.headers['accept-language']?.split(/[,;]/)[0]);
      return html(
        reply,
        200,
        dashboardPage(toDashboardAnswers(found), { keyName: session.keyName, locale, temporalUi }),
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
      html(
        reply,
        200,
        signInPage(
          request.query.session === 'ended' ? 'Your session ended: sign in again.' : undefined,
        ),
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
          '(HttpOnly, SameSite=Strict, Path=/dashboard, 30 minutes) and redirects to the dashboard. ' +
          'A refused key answers the sign-in page again, saying why.',
        body: SignInBody,
        response: {
          303: Redirect('Signed in: to the dashboard, with the session cookie.'),
          401: HtmlRefusal('The key is unknown or revoked: the sign-in page says so.'),
          403: HtmlRefusal('The key lacks the read scope: the sign-in page says so.'),
          429: HtmlRefusal(
            'Too many failed sign-ins from this address: the page says when to retry.',
          ),
          503: notConfigured,
        },
      },
    },
    async (request, reply) => {
      const signingSecret = secret();
      const now = Date.now();
      const blocked = failures.blockedFor(request.ip, now);
      if (blocked > 0) {
        reply.header('retry-after', String(blocked));
        return html(reply, 429, signInPage(`Too many failed sign-ins: try again in ${blocked} s.`));
      }
      const outcome = await signInToDashboard(app.db, signingSecret, request.body.key.trim());
      if (!outcome.ok) {
        failures.fail(request.ip, now);
        const [status, message] = SIGN_IN_ERRORS[outcome.reason];
        return html(reply, status, signInPage(message));
      }
      const maxAge = (outcome.session.expiresAt.getTime() - now) / 1000;
      return redirect(reply, DASHBOARD_PATH, sessionCookie(outcome.token, maxAge, secure));
    },
  );

  app.post(
    SIGN_OUT_PATH,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'Sign out of the dashboard',
        description: 'Deletes the session cookie and redirects to the sign-in page.',
        response: { 303: Redirect('Signed out: to the sign-in page.') },
      },
    },
    async (_request, reply) => redirect(reply, SIGN_IN_PATH, sessionCookie('', 0, secure)),
  );

  app.get(
    `${ASSETS_PATH}/:name`,
    {
      schema: {
        tags: ['Finance dashboard'],
        summary: 'The dashboard’s script, style sheet and Chart.js',
        description: `One of ${DASHBOARD_ASSET_NAMES.join(', ')}. No session needed: they hold no data.`,
        params: Type.Object(
          { name: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The file.',
            content: {
              'text/javascript': { schema: Type.String() },
              'text/css': { schema: Type.String() },
            },
          },
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
