/**
 * The server's logs: JSON lines through pino, one file each for connections,
 * authentication and file operations, plus a transfer log in xferlog format.
 * Passwords never reach these: callers pass masked command text only.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';

export interface Logs {
  connections: Logger;
  auth: Logger;
  files: Logger;
  transfer(entry: TransferRecord): void;
  close(): Promise<void>;
}

export interface TransferRecord {
  startedAt: number;
  remoteHost: string;
  bytes: number;
  virtualPath: string;
  binary: boolean;
  direction: 'incoming' | 'outgoing';
  anonymous: boolean;
  user: string;
  complete: boolean;
}

/** One xferlog line (the wu-ftpd/vsftpd format): time, seconds, host, bytes, file, type, action, direction, access, user, service, auth, id, status. */
export function formatXferlog(record: TransferRecord, now = Date.now()): string {
  const when = new Date(record.startedAt);
  const day = when.toUTCString().slice(0, 3);
  const month = when.toUTCString().slice(8, 11);
  const time = `${day} ${month} ${String(when.getUTCDate()).padStart(2, ' ')} ${when.toISOString().slice(11, 19)} ${when.getUTCFullYear()}`;
  const seconds = Math.max(1, Math.round((now - record.startedAt) / 1000));
  const file = record.virtualPath.replace(/\s/g, '_');
  return [
    time,
    seconds,
    record.remoteHost,
    record.bytes,
    file,
    record.binary ? 'b' : 'a',
    '_',
    record.direction === 'incoming' ? 'i' : 'o',
    record.anonymous ? 'a' : 'r',
    record.user,
    'ftp',
    '0',
    '*',
    record.complete ? 'c' : 'i',
  ].join(' ');
}

/** Made at start and never stored: a tag cannot be turned back into the name, even by someone holding the logs. */
const NAME_TAG_KEY = randomBytes(32);

/**
 * How a user name that is no account appears in a log: its length and a short
 * keyed tag (the same name gives the same tag while the server runs, so
 * repeated attempts can be told apart), never the name, which is often a
 * password typed into the wrong field.
 */
export function unknownUserName(name: string): { length: number; tag: string } {
  return { length: name.length, tag: createHmac('sha256', NAME_TAG_KEY).update(name).digest('hex').slice(0, 8) };
}

function fileLogger(path: string, level: string): Logger {
  return pino(
    { level, base: null, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: path, mkdir: true, sync: false }),
  );
}

export function openLogs(folder: string, level: string): Logs {
  mkdirSync(folder, { recursive: true });
  const xferlog: WriteStream = createWriteStream(join(folder, 'xferlog'), { flags: 'a' });
  const loggers = {
    connections: fileLogger(join(folder, 'connections.log'), level),
    auth: fileLogger(join(folder, 'auth.log'), level),
    files: fileLogger(join(folder, 'files.log'), level),
  };
  return {
    ...loggers,
    transfer(record) {
      xferlog.write(formatXferlog(record) + '\n');
    },
    async close() {
      for (const logger of Object.values(loggers)) logger.flush();
      await new Promise<void>((done) => xferlog.end(done));
    },
  };
}

/** Logs that go nowhere, for unit tests. */
export function silentLogs(): Logs {
  const silent = pino({ level: 'silent' });
  return { connections: silent, auth: silent, files: silent, transfer() {}, async close() {} };
}
