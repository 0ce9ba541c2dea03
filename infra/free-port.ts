// Ask the kernel for an unused port by binding port 0, then release it. Another process could grab
// it before we use it, so callers that own the server retry start-up on "address in use".
import { createServer } from 'node:net';

export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise<number>((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port bound on ${host}`));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

/** Whether host:port can be bound right now (nobody listens there). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return await new Promise<boolean>((resolveFree) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveFree(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}
