/**
 * A small scripted FTP server on 127.0.0.1, port 0, for the shell's tests of
 * what ftp-ref never does: a reply of a verb replaced by a fixture string, a
 * PASV address elsewhere, a transfer short of its SIZE, a data connection cut at
 * a byte count. Files live in memory; one session at a time is enough.
 */
import net from 'node:net';

export interface FakeServerOptions {
  files?: Record<string, Buffer>;
  /** FEAT lines (default: SIZE). */
  features?: string[];
  /** A verb's reply replaced by this raw text (CRLFs included). */
  replies?: Record<string, string>;
  /** The address the 227 announces (default 127.0.0.1). */
  pasvHost?: string;
  /** The first RETR sends only this many bytes, closes the data connection and answers 426. */
  cutRetrAfter?: number;
  /** The first STOR/APPE keeps only this many bytes, then drops the data connection. */
  cutStorAfter?: number;
  /** RETR sends this many bytes of the file, then ends cleanly with 226 (a short transfer). */
  shortRetr?: number;
  /** SIZE reports this many bytes more than the file holds. */
  sizeOffset?: number;
}

export interface FakeServer {
  host: string;
  port: number;
  files: Map<string, Buffer>;
  /** Command lines received, in order. */
  received: string[];
  stop(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const files = new Map(Object.entries(options.files ?? {}));
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  let retrCuts = options.cutRetrAfter === undefined ? 0 : 1;
  let storCuts = options.cutStorAfter === undefined ? 0 : 1;

  const server = net.createServer((control) => {
    sockets.add(control);
    control.on('close', () => sockets.delete(control));
    control.on('error', () => {});
    let rest = 0;
    let renameFrom: string | null = null;
    let passive: { listener: net.Server; socket: Promise<net.Socket> } | null = null;
    const reply = (text: string): void => {
      control.write(text.endsWith('\n') ? text : `${text}\r\n`);
    };
    const openPassive = async (): Promise<number> => {
      const listener = net.createServer();
      const socket = new Promise<net.Socket>((resolve) => listener.once('connection', (s) => {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
        listener.close();
        resolve(s);
      }));
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      passive = { listener, socket };
      return (listener.address() as net.AddressInfo).port;
    };
    const takeData = (): Promise<net.Socket> | null => {
      const current = passive;
      passive = null;
      return current ? current.socket : null;
    };
    const handle = async (line: string): Promise<void> => {
      received.push(line);
      const space = line.indexOf(' ');
      const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const arg = space < 0 ? '' : line.slice(space + 1);
      const name = arg.replace(/^\/+/, '');
      const scripted = options.replies?.[verb];
      if (scripted !== undefined) {
        if (verb === 'PASV') await openPassive();
        reply(scripted);
        return;
      }
      switch (verb) {
        case 'USER': return reply('331 Password please.');
        case 'PASS': return reply('230 Logged in.');
        case 'FEAT': return reply(`211-Features:\r\n${(options.features ?? ['SIZE']).map((f) => ` ${f}\r\n`).join('')}211 End`);
        case 'TYPE': return reply('200 Type set.');
        case 'PWD': return reply('257 "/" is the current directory.');
        case 'CWD': return reply('250 Directory changed.');
        case 'MKD': return reply(`257 "/${name}" created.`);
        case 'RMD': return reply('250 Folder removed.');
        case 'CDUP': return reply('250 Directory changed.');
        case 'NOOP': return reply('200 OK.');
        case 'QUIT': reply('221 Bye.'); control.end(); return;
        case 'SIZE': {
          const file = files.get(name);
          return reply(file ? `213 ${file.length + (options.sizeOffset ?? 0)}` : '550 No such file.');
        }
        case 'REST': rest = Number(arg); return reply(`350 Restarting at ${rest}.`);
        case 'DELE': return reply(files.delete(name) ? '250 Deleted.' : '550 No such file.');
        case 'RNFR': renameFrom = name; return reply('350 Ready for RNTO.');
        case 'RNTO': {
          const file = renameFrom ? files.get(renameFrom) : undefined;
          if (!file || !renameFrom) return reply('503 RNFR first.');
          files.delete(renameFrom);
          files.set(name, file);
          renameFrom = null;
          return reply('250 Renamed.');
        }
        case 'PASV': {
          const port = await openPassive();
          const host = (options.pasvHost ?? '127.0.0.1').split('.').join(',');
          return reply(`227 Entering Passive Mode (${host},${Math.floor(port / 256)},${port % 256}).`);
        }
        case 'EPSV': return reply(`229 Entering Extended Passive Mode (|||${await openPassive()}|)`);
        case 'LIST':
        case 'NLST': {
          const data = takeData();
          if (!data) return reply('425 Use PASV first.');
          const socket = await data;
          reply('150 Here comes the listing.');
          const lines = [...files].map(([file, bytes]) => (verb === 'NLST' ? file : `-rw-r--r--   1 ftp ftp ${String(bytes.length).padStart(10)} Jan  1 00:00 ${file}`));
          socket.end(lines.map((l) => `${l}\r\n`).join(''), () => reply('226 Done.'));
          return;
        }
        case 'RETR': {
          const file = files.get(name);
          const data = takeData();
          if (!file) return reply('550 No such file.');
          if (!data) return reply('425 Use PASV first.');
          const socket = await data;
          reply('150 Opening data connection.');
          let body = file.subarray(rest);
          rest = 0;
          if (retrCuts > 0 && options.cutRetrAfter !== undefined) {
            retrCuts -= 1;
            // Closed after the cut bytes, so they all arrive: the client keeps exactly that many.
            socket.end(body.subarray(0, options.cutRetrAfter), () => reply('426 Connection closed; transfer aborted.'));
            return;
          }
          if (options.shortRetr !== undefined) body = body.subarray(0, options.shortRetr);
          socket.end(body, () => reply('226 Transfer complete.'));
          return;
        }
        case 'STOR':
        case 'APPE': {
          const data = takeData();
          if (!data) return reply('425 Use PASV first.');
          const socket = await data;
          const offset = verb === 'APPE' ? (files.get(name)?.length ?? 0) : rest;
          rest = 0;
          const base = (files.get(name) ?? Buffer.alloc(0)).subarray(0, offset);
          reply('150 Ok to send data.');
          const chunks: Buffer[] = [];
          let got = 0;
          const cutAt = storCuts > 0 ? options.cutStorAfter : undefined;
          if (cutAt !== undefined) storCuts -= 1;
          let done = false;
          const finish = (code: string): void => {
            if (done) return;
            done = true;
            files.set(name, Buffer.concat([base, ...chunks]));
            reply(code);
          };
          socket.on('data', (chunk: Buffer) => {
            if (done) return;
            if (cutAt !== undefined && got + chunk.length >= cutAt) {
              chunks.push(chunk.subarray(0, cutAt - got));
              got = cutAt;
              socket.resetAndDestroy();
              finish('426 Connection closed; transfer aborted.');
              return;
            }
            chunks.push(chunk);
            got += chunk.length;
          });
          socket.on('end', () => finish('226 Transfer complete.'));
          socket.on('close', () => finish('426 Connection closed; transfer aborted.'));
          return;
        }
        default: return reply('502 Command not implemented.');
      }
    };
    let buffer = '';
    let queue = Promise.resolve();
    control.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let lf = buffer.indexOf('\n'); lf >= 0; lf = buffer.indexOf('\n')) {
        const line = buffer.slice(0, lf).replace(/\r$/, '');
        buffer = buffer.slice(lf + 1);
        queue = queue.then(() => handle(line));
      }
    });
    reply('220 fake server ready.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    files,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
