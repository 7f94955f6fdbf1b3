// Free TCP ports on the loopback for a peer's control port and passive range.
import { createServer } from 'node:net';

/** True if `port` can be bound on `host` right now. */
export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel just handed out as free (it may be taken again before use: the peer start then fails loudly). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error(`could not read the port bound on ${host}`));
      });
    });
  });
}

// Below Linux's ephemeral range (32768-60999), so outgoing client sockets, which the
// kernel numbers from that range, never collide with a passive port.
const RANGE_FLOOR = 20000;
const RANGE_CEILING = 32000;

/** `size` consecutive free ports starting at a random base in [20000, 32000). */
export async function freePortRange(host: string, size: number, attempts = 40): Promise<{ min: number; max: number }> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const min = RANGE_FLOOR + Math.floor(Math.random() * (RANGE_CEILING - RANGE_FLOOR - size));
    let allFree = true;
    for (let port = min; port < min + size && allFree; port += 1) allFree = await canBind(host, port);
    if (allFree) return { min, max: min + size - 1 };
  }
  throw new Error(`no ${size} consecutive free ports on ${host} in [${RANGE_FLOOR}, ${RANGE_CEILING}) after ${attempts} tries`);
}
