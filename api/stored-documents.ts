// Serving documents we rendered earlier (invoices, outbox emails, hosted pages) from the API's
// own origin, exactly as stored: HTML locked down so it can never run script or load anything
// in the reader's session; PDFs with their hash as ETag.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredPdf } from '../db/repositories/invoice-documents.ts';

const STORED_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; sandbox";

/**
 * `formAction`: the page holds a form (hosted invoice's "Pay online") that may post to, and be
 * redirected to, these sources; the sandbox then allows forms, still no script.
 */
export function sendStoredHtml(
  reply: FastifyReply,
  html: string,
  contentHash?: string,
  formAction?: readonly string[],
): FastifyReply {
  if (contentHash) reply.header('etag', `"${contentHash}"`);
  const csp = formAction
    ? `${STORED_HTML_CSP} allow-forms; form-action ${formAction.join(' ')}`
    : STORED_HTML_CSP;
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** Stored PDF bytes with their hash as ETag; a matching If-None-Match gets a 304. */
export function sendStoredPdf(
  request: FastifyRequest,
  reply: FastifyReply,
  stored: StoredPdf,
  filename: string,
): FastifyReply {
  const etag = `"${stored.contentHash}"`;
  reply.header('etag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) {
    return reply.code(304).send();
  }
  return reply
    .header('content-disposition', `inline; filename="${filename.replace(/[^\w.-]/g, '_')}.pdf"`)
    .header('x-content-type-options', 'nosniff')
    .type('application/pdf')
    .send(stored.pdf);
}

/** A PDF printed on request (estimates, quotes): not stored, so no ETag. */
export function sendRenderedPdf(reply: FastifyReply, pdf: Buffer, filename: string): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${filename.replace(/[^\w.-]/g, '_')}.pdf"`)
    .send(pdf);
}
