// How the dashboard's routes talk with a browser: a page that no cache keeps (it holds figures),
// a See Other to the next page (perhaps with the session cookie), and form posts.
import type { FastifyInstance, FastifyReply } from 'fastify';

export function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(html);
}

export function seeOther(reply: FastifyReply, location: string, cookie?: string) {
  if (cookie) reply.header('set-cookie', cookie);
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}

/** The sign-in form posts url-encoded fields; only the dashboard's routes (`app`) accept them. */
export function acceptFormPosts(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, body, next) => next(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
}
