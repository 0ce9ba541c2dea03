// The one address clients use for the cluster, as a load balancer in front of the frontends
// would be in production: each new TCP connection goes to the next node that accepts it, so
// when a node dies the SDKs' reconnects land on a live one.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FrontendProxy {
  address: string;
  close(): Promise<void>;
}

export async function startFrontendProxy(
  upstreams: { host: string; port: number }[],
  listen: { host: string; port: number },
): Promise<FrontendProxy> {
  let next = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const dial = (client: Socket, tried: number) => {
    if (tried === upstreams.length) {
      client.destroy();
      return;
    }
    const target = upstreams[next++ % upstreams.length]!;
    const upstream = connect(target);
    track(upstream);
    upstream.once('error', () => {
      upstream.destroy();
      if (!connected) dial(client, tried + 1);
      else client.destroy();
    });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  };

  const server: Server = createServer((client) => {
    track(client);
    client.on('error', () => client.destroy());
    // Bytes the client sends before the upstream answers wait in the socket's buffer.
    client.pause();
    dial(client, 0);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(listen, () => resolveListen());
  });
  return {
    address: `${listen.host}:${listen.port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolveClose());
      }),
  };
}
