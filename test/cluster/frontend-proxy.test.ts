// The cluster's one address: new connections go round the frontends, skipping one that is down,
// which is what lets the workers and APIs carry on when a Temporal node dies.
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getFreePort } from '../../infra/free-port.ts';
import { startFrontendProxy, type FrontendProxy } from '../../infra/cluster/frontend-proxy.ts';

const HOST = '127.0.0.1';
const opened: { close(): unknown }[] = [];

afterEach(async () => {
  for (const thing of opened.splice(0)) await thing.close();
});

/** A server that answers every connection with its name and closes it. */
async function namedServer(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end(name));
  server.listen(0, HOST);
  await once(server, 'listening');
  opened.push({ close: () => new Promise((done) => server.close(done)) });
  return { server, port: (server.address() as { port: number }).port };
}

async function answer(proxy: FrontendProxy): Promise<string> {
  const [host, port] = proxy.address.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(socket, 'close');
  return text;
}

describe('the frontend proxy', () => {
  it('spreads connections over the nodes and skips a node that is down', async () => {
    const one = await namedServer('one');
    const two = await namedServer('two');
    const proxy = await startFrontendProxy(
      [
        { host: HOST, port: one.port },
        { host: HOST, port: two.port },
      ],
      { host: HOST, port: await getFreePort() },
    );
    opened.push(proxy);
    expect([await answer(proxy), await answer(proxy)].sort()).toEqual(['one', 'two']);

    await new Promise((done) => one.server.close(done));
    expect([await answer(proxy), await answer(proxy), await answer(proxy)]).toEqual([
      'two',
      'two',
      'two',
    ]);
  });
});
