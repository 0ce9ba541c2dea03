// The customer's side of a milestone approval, outside /v1 and without a login: the signed link
// in the approval request email opens a page with the milestone and two buttons; approving or
// rejecting (with a reason) sends the same workflow update the operator's API does, for the
// round the link was sent for. Links are signed like hosted invoice links (HMAC, expiring):
// forged 403, expired 410, checked before anything is read.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { escapeHtml } from '../../documents/html.ts';
import { formatMoney, money } from '../../domain/core/money.ts';
import { translatorFor } from '../../i18n/catalogue.ts';
import { answerMilestone, milestoneAwaitingAnswer } from '../../services/project-approvals.ts';
import { approvalPage, SIGNED_LINK_HEADERS } from '../hosted-pages.ts';
import { unprocessable } from '../problem.ts';
import { HtmlDocument, problemResponse } from '../schemas/common.ts';
import { answeringRefusals, answeringUpdates, serviceDependencies } from '../services.ts';
import { PROJECT_WORKFLOW } from '../temporal-problem.ts';

const Params = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    key: Type.String({ minLength: 1, maxLength: 63 }),
  },
  { additionalProperties: false },
);
const SignedQuery = Type.Object({
  round: Type.Optional(Type.String({ maxLength: 8 })),
  expires: Type.Optional(Type.String({ maxLength: 20 })),
  signature: Type.Optional(Type.String({ maxLength: 100 })),
});
const AnswerBody = Type.Object({
  round: Type.Optional(Type.String({ maxLength: 8 })),
  expires: Type.Optional(Type.String({ maxLength: 20 })),
  signature: Type.Optional(Type.String({ maxLength: 100 })),
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
});

const refusals = {
  403: problemResponse('The link is not valid.'),
  410: problemResponse('The link has expired.'),
  503: problemResponse('Approval links are not configured (BILLWRIGHT_SIGNING_SECRET).'),
};

/** As the hosted invoice pages: the signed URL never leaks through a Referer, nothing indexes it. */
// frame-ancestors is added by the security headers plugin (BILLWRIGHT_FRAME_ANCESTORS).
const PAGE_HEADERS = {
  ...SIGNED_LINK_HEADERS,
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
};

const projectApprovals: FastifyPluginCallbackTypebox = (app, _options, done) => {
  // The page's forms post url-encoded fields; only these routes accept that.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_request, body, next) => {
      next(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  const base = '/hosted/projects/:id/milestones/:key/approval';

  app.get(
    base,
    {
      schema: {
        tags: ['Hosted pages'],
        summary: 'A milestone’s approval page',
        description:
          'Opened from the approval request email: the milestone, its amount, and approve or reject (with a reason).',
        params: Params,
        querystring: SignedQuery,
        response: { 200: HtmlDocument, 404: problemResponse('No such milestone.'), ...refusals },
      },
    },
    async (request, reply) => {
      const { id, key } = request.params;
      const round = app.hostedLinks.assertApprovalLink(
        { projectId: id, milestoneKey: key },
        request.query,
      );
      const { project, milestone, locale } = await answeringRefusals(() =>
        milestoneAwaitingAnswer(app.db, id, key),
      );
      const amount = formatMoney(money(milestone.amount, project.currency), locale);
      const hidden = ['round', 'expires', 'signature']
        .map(
          (name) =>
            `<input type="hidden" name="${name}" value="${escapeHtml(String(request.query[name as keyof typeof request.query] ?? ''))}">`,
        )
        .join('');
      const query = new URLSearchParams({
        round: String(round),
        expires: request.query.expires ?? '',
        signature: request.query.signature ?? '',
      }).toString();
      const t = translatorFor(locale);
      const values = { project: escapeHtml(project.name), milestone: escapeHtml(milestone.name) };
      const body =
        milestone.status === 'awaiting_approval'
          ? `<p>${t('hosted.approval.awaiting', { ...values, amount: escapeHtml(amount) })}</p>
<form method="post" action="approval/approve?${escapeHtml(query)}">${hidden}<button type="submit">${escapeHtml(t('hosted.approval.approve'))}</button></form>
<form method="post" action="approval/reject?${escapeHtml(query)}">${hidden}<label>${escapeHtml(t('hosted.approval.reasonLabel'))}<br><textarea name="reason" required maxlength="1000"></textarea></label><br><button type="submit">${escapeHtml(t('hosted.approval.reject'))}</button></form>`
          : `<p>${t('hosted.approval.answered', { ...values, status: milestone.status })}</p>`;
      return reply
        .type('text/html; charset=utf-8')
        .headers(PAGE_HEADERS)
        .send(
          approvalPage(t('hosted.approval.title', { milestone: milestone.name }), body, locale),
        );
    },
  );

  for (const answer of ['approve', 'reject'] as const) {
    app.post(
      `${base}/${answer}`,
      {
        schema: {
          tags: ['Hosted pages'],
          summary: answer === 'approve' ? 'Approve a milestone' : 'Reject a milestone',
          description:
            answer === 'approve'
              ? 'The customer approves the milestone through the signed link: it is then invoiced.'
              : 'The customer rejects the milestone with a reason: it goes back to the operator.',
          params: Params,
          querystring: SignedQuery,
          body: AnswerBody,
          response: {
            200: HtmlDocument,
            404: problemResponse('No such milestone.'),
            409: problemResponse('The milestone no longer awaits this approval.'),
            422: problemResponse('A rejection without a reason.'),
            ...refusals,
          },
        },
      },
      async (request, reply) => {
        const { id, key } = request.params;
        // The link's fields come in the query (form action) or the body (hidden fields).
        const link = { ...request.body, ...request.query };
        const round = app.hostedLinks.assertApprovalLink(
          { projectId: id, milestoneKey: key },
          link,
        );
        const reason = request.body?.reason?.trim();
        if (answer === 'reject' && !reason) {
          throw unprocessable('reason', 'say why the milestone is rejected');
        }
        const action = { projectId: id, key, round, actor: 'customer (approval link)', reason };
        const { locale } = await answeringUpdates(PROJECT_WORKFLOW, () =>
          answerMilestone(serviceDependencies(app), answer, action),
        );
        const t = translatorFor(locale);
        const answered = answer === 'approve' ? 'approved' : 'rejected';
        return reply
          .type('text/html; charset=utf-8')
          .headers(PAGE_HEADERS)
          .send(
            approvalPage(
              t(`hosted.approval.${answered}Title`),
              `<p>${escapeHtml(t(`hosted.approval.${answered}Body`))}</p>`,
              locale,
            ),
          );
      },
    );
  }

  done();
};

export default projectApprovals;
