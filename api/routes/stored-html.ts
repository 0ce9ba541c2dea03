// Serving HTML we rendered earlier (invoices, outbox emails) from the API's own origin: lock it
// down so a stored document can never run script or load anything in the reader's session.
import type { FastifyReply } from 'fastify';

const STORED_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; sandbox";

export function sendStoredHtml(
  reply: FastifyReply,
  html: string,
  contentHash?: string,
): FastifyReply {
  if (contentHash) reply.header('etag', `"${contentHash}"`);
  return reply
    .header('content-security-policy', STORED_HTML_CSP)
    .header('x-content-type-options', 'nosniff')
    .type('text/html; charset=utf-8')
    .send(html);
}
