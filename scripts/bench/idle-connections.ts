/**
 * Holds many idle logged-in control connections, then checks every one still
 * answers NOOP, and reads the server's RSS while they are all open.
 */
import { connect, type Socket } from 'node:net';

interface Held {
  socket: Socket;
  next(): Promise<string>;
}

function hold(host: string, port: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffer = '';
    const waiters: ((line: string) => void)[] = [];
    const lines: string[] = [];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let index: number;
      while ((index = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 1);
        if (!/^\d{3} /.test(line)) continue;
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        next: () => {
          const queued = lines.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          return new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error('timeout')), 30_000);
            waiters.push((line) => {
              clearTimeout(timer);
              done(line);
            });
          });
        },
      }),
    );
  });
}

export async function holdIdleConnections(options: { host: string; port: number; user: string; password: string; count: number; measureRss: () => Promise<number> }): Promise<{ connections: number; answered: number; rssMiB: number }> {
  const held: Held[] = [];
  const batch = 200;
  try {
    for (let start = 0; start < options.count; start += batch) {
      const group = await Promise.all(
        Array.from({ length: Math.min(batch, options.count - start) }, async () => {
          const connection = await hold(options.host, options.port);
          await connection.next();
          connection.socket.write(`USER ${options.user}\r\n`);
          await connection.next();
          connection.socket.write(`PASS ${options.password}\r\n`);
          const reply = await connection.next();
          if (!reply.startsWith('230')) throw new Error(`login ${held.length}: ${reply}`);
          return connection;
        }),
      );
      held.push(...group);
    }
    const rssMiB = await options.measureRss();
    let answered = 0;
    for (let start = 0; start < held.length; start += batch) {
      const replies = await Promise.all(
        held.slice(start, start + batch).map(async (connection) => {
          connection.socket.write('NOOP\r\n');
          return (await connection.next()).startsWith('200');
        }),
      );
      answered += replies.filter(Boolean).length;
    }
    return { connections: held.length, answered, rssMiB };
  } finally {
    for (const connection of held) connection.socket.destroy();
  }
}
