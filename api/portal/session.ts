// What every portal route needs from the app: the customer a request's cookie is signed in as
// (or none), and the settings the magic links are made with.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { openPortalSession, type PortalLinkDependencies } from '../../services/portal-sessions.ts';
import { portalCustomer } from '../../services/portal.ts';
import { serviceDependencies } from '../services.ts';
import type { Reader } from './pages.ts';
import { portalToken } from './session-cookie.ts';

/** The signed-in customer of the request, or undefined (no cookie, or its session is over). */
export async function signedInReader(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<Extract<Reader, { session: unknown }> | undefined> {
  const session = await openPortalSession(app.db, portalToken(request.headers.cookie));
  if (!session) return undefined;
  return { session, customer: await portalCustomer(serviceDependencies(app), session.customer_id) };
}

export function portalLinkDependencies(app: FastifyInstance): PortalLinkDependencies {
  return {
    db: app.db,
    signingSecret: app.portal.signingSecret,
    publicBaseUrl: app.portal.publicBaseUrl,
    email: app.email.sender,
    emailFrom: app.email.from,
    renderer: app.documents.renderer,
    seller: app.documents.seller,
    brand: app.documents.brand,
  };
}
