/**
 * The server's logs: JSON lines through pino, one file each for connections,
 * authentication and file operations, plus a transfer log in xferlog format.
 * Passwords never reach these: callers pass masked command text only. A log
 * that cannot be written (a full disk) never stops the server: its lines are
 * dropped, and that is said on stderr (log-file.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { LogFile } from './log-file.ts';

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

export function openLogs(folder: string, level: string): Logs {
  mkdirSync(folder, { recursive: true });
  const files = {
    connections: new LogFile(join(folder, 'connections.log')),
    auth: new LogFile(join(folder, 'auth.log')),
    files: new LogFile(join(folder, 'files.log')),
    xferlog: new LogFile(join(folder, 'xferlog')),
  };
  const logger = (file: LogFile) => pino({ level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, file);
  return {
    connections: logger(files.connections),
    auth: logger(files.auth),
    files: logger(files.files),
    transfer(record) {
      files.xferlog.write(formatXferlog(record) + '\n');
    },
    async close() {
      await Promise.all(Object.values(files).map((file) => file.close()));
    },
  };
}

/** Logs that go nowhere, for unit tests. */
export function silentLogs(): Logs {
  const silent = pino({ level: 'silent' });
  return { connections: silent, auth: silent, files: silent, transfer() {}, async close() {} };
}
