// Signed links to hosted invoice pages, as `app.hostedLinks`: who signs (the signing secret) and
// where the links point (the public base URL). Without a secret the API still serves everything
// else; the hosted routes answer 503 and say which variable to set.
import fp from 'fastify-plugin';
import {
  createHostedInvoiceLink,
  verifyHostedDocumentLink,
  verifyHostedInvoiceLink,
  verifyMilestoneApprovalLink,
  type HostedDocumentKind,
  type HostedLinkCheck,
} from '../../documents/hosted-links.ts';
import { Problem, serviceUnavailable } from '../problem.ts';

export interface HostedLinks {
  /** A link to the invoice's hosted page, valid for `expiresInDays`. */
  create(invoiceId: string, expiresInDays?: number): { url: string; expiresAt: Date };
  /** Checks a presented link; forged or mangled → 403, genuine but expired → 410. */
  assertValid(invoiceId: string, query: { expires?: string; signature?: string }): void;
  /** Checks a credit note's or receipt's link (emailed with it), 403/410 as above. */
  assertValidDocument(
    kind: HostedDocumentKind,
    id: string,
    query: { expires?: string; signature?: string },
  ): void;
  /** Checks a milestone approval link (403/410 as above); answers the round it was sent for. */
  assertApprovalLink(
    subject: { projectId: string; milestoneKey: string },
    query: { round?: string; expires?: string; signature?: string },
  ): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    hostedLinks: HostedLinks;
  }
}

function secretOrFail(secret: string | undefined): string {
  if (!secret) {
    throw serviceUnavailable(
      'Hosted invoice links are not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
    );
  }
  return secret;
}

/** The problem for a refused link. Same answer whether or not the invoice exists. */
function refusal(check: Exclude<HostedLinkCheck, { ok: true }>): Problem {
  return check.reason === 'expired'
    ? new Problem({
        status: 410,
        slug: 'gone',
        detail: 'This invoice link has expired. Ask the sender for a new one.',
      })
    : new Problem({
        status: 403,
        slug: 'forbidden',
        detail: 'This invoice link is not valid. Check that it was copied in full.',
      });
}

export default fp<{ baseUrl: string; secret?: string | undefined }>(
  (app, options, done) => {
    const secret = options.secret || undefined;
    app.decorate('hostedLinks', {
      create(invoiceId, expiresInDays) {
        return createHostedInvoiceLink({
          baseUrl: options.baseUrl,
          secret: secretOrFail(secret),
          invoiceId,
          ...(expiresInDays === undefined ? {} : { expiresInDays }),
        });
      },
      assertValid(invoiceId, query) {
        const check = verifyHostedInvoiceLink(invoiceId, query, secretOrFail(secret));
        if (!check.ok) throw refusal(check);
      },
      assertValidDocument(kind, id, query) {
        const check = verifyHostedDocumentLink(kind, id, query, secretOrFail(secret));
        if (!check.ok) throw refusal(check);
      },
      assertApprovalLink(subject, query) {
        const check = verifyMilestoneApprovalLink(subject, query, secretOrFail(secret));
        if (!check.ok) throw refusal(check);
        return check.round!;
      },
    } satisfies HostedLinks);
    done();
  },
  { name: 'billwright-hosted-links', fastify: '5.x' },
);
