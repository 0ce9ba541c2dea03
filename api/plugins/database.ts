// The database, as `app.db`. The caller that opened the pool owns it and closes it: tests share
// one database across several apps, and the server closes it after the app has drained.
import fp from 'fastify-plugin';
import type { Db } from '../../db/connect.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export default fp<{ db: Db }>(
  (app, options, done) => {
    app.decorate('db', options.db);
    done();
  },
  { name: 'billwright-database', fastify: '5.x' },
);
