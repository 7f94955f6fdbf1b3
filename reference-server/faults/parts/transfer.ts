/** Faults of REST, RETR, STOR, STOU, APPE, TYPE A/I and HASH (src/handlers/transfer.ts, hash.ts); those of the quota of uploads are in upload-quota.ts. */
import { lstat, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Handler } from '../../src/protocol/command-spec.ts';
import type { Session } from '../../src/session.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { FtpReplyError } from '../../src/errors.ts';
import { openToRead } from '../../src/vfs/no-follow.ts';
import { digestFile } from '../../src/handlers/hash.ts';
import { virtualName } from '../../src/vfs/virtual-path.ts';
import type { ServerParts } from '../../src/server-parts.ts';
import { PathLocks } from '../../src/data/path-locks.ts';
import { receiveUpload } from '../../src/handlers/transfer.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { withHandlers } from '../compose.ts';
import { UPLOAD_QUOTA_FAULT_PARTS, UPLOAD_VERBS } from './upload-quota.ts';

/** A handler that runs `before` on the session first, then the correct one. */
function first(verbs: readonly string[], before: (session: Session, argument: string) => void | Promise<void>): FaultPart {
  return {
    parts: (parts) =>
      withHandlers(parts, verbs, (inner) => async (session, argument) => {
        await before(session, argument);
        await inner(session, argument);
      }),
  };
}

/** The size of the file `argument` names, null when there is none. */
async function sizeOf(session: Session, argument: string): Promise<number | null> {
  const path = await session.resolvePath(argument);
  try {
    return await lstat(path.real).then((info) => info.size, () => null);
  } finally {
    path.close();
  }
}

/** `inner` run as if in TYPE I when the session is in TYPE A (what it announces and logs follows). */
function binaryInTypeA(inner: Handler): Handler {
  return async (session, argument) => {
    if (session.transferType !== 'A') return inner(session, argument);
    session.transferType = 'I';
    try {
      await inner(session, argument);
    } finally {
      if (session.transferType === 'I') session.transferType = 'A';
    }
  };
}

/** Runs `use` on the file `argument` names, opened to read, and closes it. */
async function withFileToRead(session: Session, argument: string, use: (file: FileHandle) => Promise<void>): Promise<void> {
  const path = await session.resolvePath(argument);
  const file = await openToRead(path.real).finally(() => path.close());
  try {
    await use(file);
  } finally {
    await file.close();
  }
}

/** A RETR over a 7-bit data path: every byte loses its high bit on the way. */
async function sevenBitRetr(session: Session, argument: string): Promise<void> {
  const offset = session.restOffset;
  session.restOffset = 0;
  await withFileToRead(session, argument, async (file) => {
    await session.runTransfer(`Opening BINARY mode data connection for ${argument}.`, async (data, signal) => {
      const source = file.createReadStream({ start: offset, autoClose: false });
      const clearHighBit = new Transform({ transform: (chunk: Buffer, _encoding, done) => done(null, chunk.map((byte) => byte & 0x7f)) });
      await pipeline(source, clearHighBit, data, { signal, end: false });
      return source.bytesRead;
    });
  });
}

/** A HASH that takes the end of its range as the last byte's position where it is one past it: the last byte is left out. */
async function hashShortByOne(session: Session, argument: string): Promise<void> {
  const start = session.restOffset;
  session.restOffset = 0;
  await withFileToRead(session, argument, async (file) => {
    const { size } = await file.stat();
    const lastByte = size - 1;
    const digest = await digestFile(file, session.hashAlgorithm, start, lastByte);
    session.reply(Reply.fileStatus, `${session.hashAlgorithm} ${start}-${size} ${digest} ${argument}`);
  });
}

/** Locks that never make anyone wait: uploads that write one file in place run side by side. */
class NoLocks extends PathLocks {
  override acquire(): Promise<() => void> {
    return Promise.resolve(() => {});
  }
}

const NO_LOCKS = new NoLocks();

const withoutWriterLocks = (parts: ServerParts): ServerParts => ({ ...parts, writerLocks: () => NO_LOCKS });

/** A STOR that writes the file it names in place, from byte 0, whether it exists or not (REST+STOR is left as it was). */
function storInPlace(inner: Handler): Handler {
  return async (session, argument) => {
    if (session.restOffset > 0) return inner(session, argument);
    const path = await session.resolvePath(argument);
    try {
      await receiveUpload(session, path, 'create', `Ok to send data for ${virtualName(path.virtual)}.`);
    } finally {
      path.close();
    }
  };
}

/** A STOU that stores under the path the client gave, wherever it leads, with a random suffix. */
function stouAtGivenPath(inner: Handler): Handler {
  return async (session, argument) => {
    const given = argument.trim();
    if (given === '') return inner(session, argument);
    const name = `${given}.${randomBytes(4).toString('hex')}`;
    const path = await session.resolvePath(name);
    try {
      await receiveUpload(session, path, 'create', `FILE: ${name}`);
    } finally {
      path.close();
    }
  };
}

export const TRANSFER_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  ...UPLOAD_QUOTA_FAULT_PARTS,
  'rest-zero-refused': first(['REST'], (_session, argument) => {
    if (/^0+$/.test(argument.trim())) throw new FtpReplyError(Reply.argumentSyntaxError, 'REST needs a byte offset.');
  }),
  'rest-ignored-retr': first(['RETR'], (session) => {
    session.restOffset = 0;
  }),
  'rest-retr-off-by-one': first(['RETR'], (session) => {
    if (session.restOffset > 0) session.restOffset -= 1;
  }),
  'rest-past-end-sends-whole': first(['RETR'], async (session, argument) => {
    const size = await sizeOf(session, argument);
    if (size !== null && session.restOffset > size) session.restOffset = 0;
  }),
  'rest-ignored-stor': first(['STOR'], (session) => {
    session.restOffset = 0;
  }),
  // APPE taken for STOR: the file is replaced.
  'appe-overwrites': {
    parts: (parts) => withHandlers(parts, ['APPE'], () => parts.commands.STOR!.handler!),
  },
  // 550 from the lstat of a missing file.
  'appe-missing-refused': first(['APPE'], async (session, argument) => {
    const path = await session.resolvePath(argument);
    await lstat(path.real).finally(() => path.close());
  }),
  'stor-overwrite-not-atomic': {
    parts: (parts) => withHandlers(withoutWriterLocks(parts), ['STOR'], storInPlace),
  },
  'quota-appends-unlocked': { parts: withoutWriterLocks },
  // Besides the naive path mapping (parts/jail.ts): STOU stores under the whole path it was given.
  'jail-naive-join': {
    parts: (parts) => withHandlers(parts, ['STOU'], stouAtGivenPath),
  },
  // Uploads stored as binary, whatever the TYPE.
  'type-a-upload-not-converted': {
    parts: (parts) => withHandlers(parts, UPLOAD_VERBS, binaryInTypeA),
  },
  // Downloads sent as binary, whatever the TYPE.
  'type-a-download-not-converted': {
    parts: (parts) => withHandlers(parts, ['RETR'], binaryInTypeA),
  },
  'type-i-corrupts-byte': {
    parts: (parts) => withHandlers(parts, ['RETR'], (inner) => (session, argument) => (session.transferType === 'I' ? sevenBitRetr(session, argument) : inner(session, argument))),
  },
  'hash-ignores-rest': first(['HASH'], (session) => {
    session.restOffset = 0;
  }),
  'hash-wrong-range': {
    parts: (parts) => withHandlers(parts, ['HASH'], () => hashShortByOne),
  },
};
