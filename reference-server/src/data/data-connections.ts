/**
 * Data connections, knowing no FTP verbs: a passive listener that accepts one
 * connection, only from the control connection's address, and gives up after a
 * timeout; and an active connect that refuses foreign addresses and low ports.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class DataConnectionError extends Error {}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one address. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export interface PassiveOptions {
  localAddress: string;
  allowedRemote: string;
  range: { first: number; last: number } | null;
  /** How long the listener waits for its one connection. */
  timeoutMs: number;
  onForeignConnection?: (address: string) => void;
}

export class PassiveListener {
  private accepted: Socket | null = null;
  private handedOut = false;
  private waiter: { resolve: (socket: Socket) => void; reject: (error: Error) => void } | null = null;
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;

  /** Made by `open`, which finds the port; on a subclass, `open` makes one of the subclass. */
  constructor(
    protected readonly server: Server,
    readonly port: number,
    private readonly options: PassiveOptions,
  ) {
    server.on('connection', (socket) => this.onConnection(socket));
    this.expiry = this.expireAfter(options.timeoutMs);
  }

  static async open<T extends PassiveListener>(this: new (server: Server, port: number, options: PassiveOptions) => T, options: PassiveOptions): Promise<T> {
    const candidates = portCandidates(options.range);
    for (const port of candidates) {
      const server = createServer({ pauseOnConnect: true });
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen({ host: options.localAddress, port, exclusive: true }, () => resolve(true));
      });
      if (ok) {
        const address = server.address();
        if (address && typeof address === 'object') return new this(server, address.port, options);
      }
      server.close();
    }
    throw new DataConnectionError('no passive port free');
  }

  /** RFC 2577 §8 (port stealing): only the control connection's host may connect. */
  protected admits(remote: string): boolean {
    return remote === normalizeAddress(this.options.allowedRemote);
  }

  /** The timer that closes the listener when nobody connected within `timeoutMs`. */
  protected expireAfter(timeoutMs: number): NodeJS.Timeout | undefined {
    const timer = setTimeout(() => this.fail(new DataConnectionError('nobody connected to the passive port in time')), timeoutMs);
    timer.unref();
    return timer;
  }

  private onConnection(socket: Socket): void {
    const remote = normalizeAddress(socket.remoteAddress);
    if (!this.admits(remote) || this.accepted || this.closed) {
      this.options.onForeignConnection?.(remote);
      socket.destroy();
      return;
    }
    this.accepted = socket;
    socket.on('error', () => {});
    clearTimeout(this.expiry);
    this.server.close();
    if (this.waiter) {
      this.waiter.resolve(socket);
      this.waiter = null;
    }
  }

  /** The data socket, waiting up to `timeoutMs` for the client to connect. */
  accept(timeoutMs: number): Promise<Socket> {
    this.handedOut = true;
    if (this.accepted) return Promise.resolve(this.accepted);
    if (this.closed) return Promise.reject(new DataConnectionError('passive port already closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new DataConnectionError('nobody connected to the passive port in time')), timeoutMs);
      this.waiter = {
        resolve: (socket) => {
          clearTimeout(timer);
          resolve(socket);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private fail(error: Error): void {
    this.close();
    if (this.waiter) {
      this.waiter.reject(error);
      this.waiter = null;
    }
  }

  /** Closes the listener and any connection not yet handed out. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    this.server.close();
  }

  /** Closes everything, including an accepted socket no transfer took (one handed out belongs to its transfer). */
  dispose(): void {
    this.close();
    if (this.accepted && !this.handedOut) this.accepted.destroy();
  }
}

/**
 * Where passive ports come from when no range is set: random ports below the
 * kernel's ephemeral range. Binding port 0 instead makes Linux search that range
 * for a free port, which under load (thousands of connections in TIME_WAIT) cost
 * ftp-ref a third of its CPU; a random explicit port is one hash lookup.
 */
const DEFAULT_PASSIVE_RANGE = { first: 20000, last: 31999 };
const DEFAULT_RANGE_TRIES = 16;

function portCandidates(range: { first: number; last: number } | null): number[] {
  if (!range) {
    const { first, last } = DEFAULT_PASSIVE_RANGE;
    const random = Array.from({ length: DEFAULT_RANGE_TRIES }, () => first + Math.floor(Math.random() * (last - first + 1)));
    return [...random, 0];
  }
  const count = range.last - range.first + 1;
  const offset = Math.floor(Math.random() * count);
  return Array.from({ length: count }, (_, i) => range.first + ((offset + i) % count));
}

/** Connects to a client's PORT/EPRT address. Refusals happen before, in the handler; this only connects. */
export function connectActive(options: { host: string; port: number; localAddress: string; timeoutMs: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DataConnectionError(`cannot connect to ${options.host}:${options.port} in time`));
    }, options.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new DataConnectionError(`cannot connect to ${options.host}:${options.port}: ${error.message}`));
    });
  });
}
