import type { Socket } from 'node:net';

/** Ends a socket cleanly (FIN; with TLS, close_notify first), and destroys it if it has not closed after `graceMs`. */
export function endGracefully(socket: Socket | null, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket === null || socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
