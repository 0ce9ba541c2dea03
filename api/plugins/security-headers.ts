// Browser-facing hardening for every response: helmet's headers (a Content-Security-Policy that
// forbids framing unless BILLWRIGHT_FRAME_ANCESTORS allows it, nosniff, no-referrer), and CORS
// for the origins BILLWRIGHT_CORS_ORIGINS names (none by default: browsers on other sites may
// not call the API). Pages that set their own, stricter policy (stored invoices, approvals) keep
// it, with frame-ancestors added when they lack it.
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from './idempotency.ts';

export interface SecurityHeadersOptions {
  /** CSP frame-ancestors sources, e.g. "'none'" or "'self' https://app.example.com". */
  frameAncestors: string;
  /** Origins allowed to call the API from a browser; `*` for any; empty for none. */
  corsOrigins: readonly string[];
}

export default fp<SecurityHeadersOptions>(
  async (app, options) => {
    const frameAncestors = options.frameAncestors.split(' ');
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors,
        },
      },
      // frame-ancestors supersedes X-Frame-Options; send the old header only when it agrees.
      frameguard: options.frameAncestors === "'none'" ? { action: 'deny' } : false,
      referrerPolicy: { policy: 'no-referrer' },
      // An API, not a site: no HSTS decisions here (the TLS terminator owns them).
      strictTransportSecurity: false,
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string' && !csp.includes('frame-ancestors'))
        reply.header(
          'content-security-policy',
          `${csp}; frame-ancestors ${options.frameAncestors}`,
        );
      return payload;
    });
    if (options.corsOrigins.length > 0) {
      await app.register(cors, {
        origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins],
        methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', IDEMPOTENCY_HEADER, 'x-operator'],
        exposedHeaders: ['retry-after', 'etag', REPLAYED_HEADER, 'www-authenticate'],
        maxAge: 600,
      });
    }
  },
  { name: 'billwright-security-headers', fastify: '5.x' },
);
