// Documents the API renders on request (estimates): the renderer and who the seller is.
import fp from 'fastify-plugin';
import { loadConfig } from '../../config/index.ts';
import { createDocumentRenderer, type DocumentRenderer } from '../../documents/renderer.ts';
import type { Brand, SellerDetails } from '../../documents/views.ts';

export interface ApiDocuments {
  renderer: DocumentRenderer;
  seller: SellerDetails;
  brand: Brand;
}

declare module 'fastify' {
  interface FastifyInstance {
    documents: ApiDocuments;
  }
}

/** The environment's seller, brand and templates, as the worker renders them. */
export function documentsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiDocuments {
  const config = loadConfig(env);
  return {
    renderer: createDocumentRenderer({ templatesDir: config.templatesDir, brand: config.brand }),
    seller: config.seller,
    brand: config.brand,
  };
}

export default fp<{ documents?: ApiDocuments | undefined }>(
  (app, options, done) => {
    app.decorate('documents', options.documents ?? documentsFromEnv());
    done();
  },
  { name: 'documents' },
);
