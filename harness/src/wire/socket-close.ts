// The one way ftp-check lets go of a socket, whatever state the peer left it in.
//
// Why this file exists: Node's resetAndDestroy() asks libuv for uv_tcp_close_reset(),
// which refuses with EINVAL while a shutdown (our FIN) is still pending on the handle.
// Node then drops its reference to the handle without closing it: the file descriptor
// stays in the event loop, the process can never exit, and once the peer closes its
// end the loop spins at 100% CPU on it. A shutdown is pending right after end(), and
// also right after the peer's FIN, since a socket that does not allow half-open
// connections answers a FIN with end() of its own. So an RST is sent only when no
// shutdown can be pending; otherwise the socket is destroyed, which always closes it.

import type { Socket } from 'node:net';

const ignore = (): void => {};

/** end() was called and its shutdown has not completed: libuv cannot reset now. */
function shutdownPending(socket: Socket): boolean {
  return socket.writableEnded && !socket.writableFinished;
}

/**
 * Drops a connection at once: RST where that is safe (the peer sees an abort, not a
 * short transfer), else a plain close. `outer` is a TLS socket on top of `tcp`; both
 * go. Never throws, never leaves a handle behind. Idempotent.
 */
export function dropSocket(tcp: Socket | null, outer?: Socket | null): void {
  for (const socket of [outer, tcp]) socket?.on('error', ignore); // late errors of a socket we let go
  if (tcp && !tcp.destroyed) {
    const mayReset = !tcp.connecting && !shutdownPending(tcp) && !(outer && shutdownPending(outer));
    if (mayReset) {
      try {
        tcp.resetAndDestroy();
      } catch {
        tcp.destroy();
      }
    } else {
      tcp.destroy();
    }
  }
  if (outer && !outer.destroyed) outer.destroy();
}

/**
 * Ends a connection cleanly (FIN; with TLS, close_notify first), and drops it if it
 * has not closed after `graceMs`. `tcp` is the connection under a TLS `socket`, closed
 * with it. Resolves once closed; never rejects.
 */
export function endGracefully(socket: Socket | null, graceMs: number, tcp?: Socket | null): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket === null || socket.destroyed) {
      dropSocket(tcp ?? null);
      resolve();
      return;
    }
    socket.on('error', ignore);
    // Destroy, never reset, here: end() below leaves a shutdown pending.
    const timer = setTimeout(() => dropSocket(tcp ?? socket, tcp ? socket : null), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      if (tcp && !tcp.destroyed) tcp.destroy();
      resolve();
    });
    socket.end();
  });
}
