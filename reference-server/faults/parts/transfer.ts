/** Faults of REST, RETR, STOR, STOU, APPE, TYPE A/I and HASH (src/handlers/transfer.ts, hash.ts). */
import { lstat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Handler } from '../../src/protocol/command-spec.ts';
import type { Session } from '../../src/session.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { FtpReplyError, replyForError } from '../../src/errors.ts';
import { openToRead } from '../../src/vfs/no-follow.ts';
import { digestFile } from '../../src/handlers/hash.ts';
import { QuotaExceededError, QuotaLedger, measureUsage } from '../../src/quota.ts';
import { virtualName, virtualParent, type VirtualPath } from '../../src/vfs/virtual-path.ts';
import type { ServerParts } from '../../src/server-parts.ts';
import { PathLocks } from '../../src/data/path-locks.ts';
import { receiveUpload } from '../../src/handlers/transfer.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { rewritingReplies, withHandlers } from '../compose.ts';

const UPLOADS = ['STOR', 'STOU', 'APPE'] as const;

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

/** `inner`, run in TYPE `type` whatever the client chose (what the handler says and logs follows). */
function asIfType(inner: Handler, type: 'A' | 'I', when: 'A' | 'I'): Handler {
  return async (session, argument) => {
    if (session.transferType !== when) return inner(session, argument);
    session.transferType = type;
    try {
      await inner(session, argument);
    } finally {
      if (session.transferType === type) session.transferType = when;
    }
  };
}

/** A RETR over a 7-bit data path: every byte loses its high bit on the way. */
async function sevenBitRetr(session: Session, argument: string): Promise<void> {
  const offset = session.restOffset;
  session.restOffset = 0;
  const path = await session.resolvePath(argument);
  const file = await openToRead(path.real).finally(() => path.close());
  try {
    await session.runTransfer(`Opening BINARY mode data connection for ${argument}.`, async (data, signal) => {
      const source = file.createReadStream({ start: offset, autoClose: false });
      const clearHighBit = new Transform({ transform: (chunk: Buffer, _encoding, done) => done(null, chunk.map((byte) => byte & 0x7f)) });
      await pipeline(source, clearHighBit, data, { signal, end: false });
      return source.bytesRead;
    });
  } finally {
    await file.close();
  }
}

/** A HASH that takes the end of its range as the last byte's position where it is one past it: the last byte is left out. */
async function hashShortByOne(session: Session, argument: string): Promise<void> {
  const start = session.restOffset;
  session.restOffset = 0;
  const path = await session.resolvePath(argument);
  const file = await openToRead(path.real).finally(() => path.close());
  try {
    const { size } = await file.stat();
    const lastByte = size - 1;
    const digest = await digestFile(file, session.hashAlgorithm, start, lastByte);
    session.reply(Reply.fileStatus, `${session.hashAlgorithm} ${start}-${size} ${digest} ${argument}`);
  } finally {
    await file.close();
  }
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

/** Sessions running an upload (STOR, STOU, APPE) now. */
const uploading = new WeakSet<Session>();

type LedgerChoice = (session: Session, path: VirtualPath, ledger: QuotaLedger | null) => QuotaLedger | null | Promise<QuotaLedger | null>;

/** `parts` whose uploads count against `choose(the ledger they would use)`; every other command keeps the correct ledger. */
function uploadsCountAgainst(parts: ServerParts, choose: LedgerChoice): ServerParts {
  const marked = withHandlers(parts, UPLOADS, (inner) => async (session, argument) => {
    uploading.add(session);
    try {
      await inner(session, argument);
    } finally {
      uploading.delete(session);
    }
  });
  return {
    ...marked,
    quotaLedger: async (session, path) => {
      const ledger = await parts.quotaLedger(session, path);
      return uploading.has(session) ? choose(session, path, ledger) : ledger;
    },
  };
}

type LedgerOverrides = Partial<Pick<QuotaLedger, 'limit' | 'tryReserve' | 'commit' | 'place'>>;

/**
 * `ledger` with some of its behaviour changed: the same counts, shared with
 * every other user of it; its own methods see the changes too (a `limit` of 0
 * makes `available()` unlimited).
 */
function ledgerView(ledger: QuotaLedger, overrides: LedgerOverrides): QuotaLedger {
  return new Proxy(ledger, {
    get: (target, key, receiver) => (Object.hasOwn(overrides, key) ? (overrides as Record<PropertyKey, unknown>)[key] : Reflect.get(target, key, receiver)),
  });
}

/** `ledger` without a limit: it takes whatever it is given. */
const unlimited = (ledger: QuotaLedger) => ledgerView(ledger, { limit: 0 });

/** Sessions whose upload wrote past the limit (quota-overflow-kept). */
const passedLimit = new WeakSet<Session>();

/** The naive server that writes first and checks after: every byte lands and is counted, then 552. */
function writesFirstChecksAfter(parts: ServerParts): ServerParts {
  const counting = uploadsCountAgainst(parts, (session, _path, ledger) =>
    ledger && ledgerView(ledger, {
      tryReserve: (bytes) => {
        if (!ledger.tryReserve(bytes) && unlimited(ledger).tryReserve(bytes)) passedLimit.add(session);
        return true;
      },
    }),
  );
  const quotaExceeded = replyForError(new QuotaExceededError(''));
  return withHandlers(counting, UPLOADS, (inner) => {
    const answering552 = rewritingReplies(inner, (reply, session) => (reply.code === Reply.closingDataSuccess && passedLimit.has(session) ? quotaExceeded : reply));
    return async (session, argument) => {
      passedLimit.delete(session);
      try {
        await answering552(session, argument);
      } finally {
        passedLimit.delete(session);
      }
    };
  });
}

/** Per session, how to take back what its running upload has counted as kept. */
const uncountKept = new WeakMap<Session, () => void>();

/** Uploads whose bytes, when the transfer is cut (not refused for quota), stay on disk but leave the count. */
function cutUploadsUncounted(parts: ServerParts): ServerParts {
  const counting = uploadsCountAgainst(parts, (session, _path, ledger) => {
    if (!ledger) return null;
    let kept = 0;
    uncountKept.set(session, () => ledger.adjust(-kept));
    return ledgerView(ledger, {
      commit: (bytes) => {
        kept += bytes;
        ledger.commit(bytes);
      },
    });
  });
  return withHandlers(counting, UPLOADS, (inner) => async (session, argument) => {
    const runTransfer = session.runTransfer;
    session.runTransfer = (announce, work) =>
      runTransfer.call(session, announce, async (data, signal) => {
        try {
          return await work(data, signal);
        } catch (error) {
          if (!(error instanceof QuotaExceededError)) uncountKept.get(session)?.();
          throw error;
        }
      });
    try {
      await inner(session, argument);
    } finally {
      // Back to the class's own method.
      delete (session as { runTransfer?: unknown }).runTransfer;
      uncountKept.delete(session);
    }
  });
}

/** Each session's own ledger of its home, measured from disk when the session first needs it. */
const sessionLedgers = new WeakMap<Session, QuotaLedger>();

async function ledgerOfSession(session: Session, shared: QuotaLedger): Promise<QuotaLedger> {
  let ledger = sessionLedgers.get(session);
  if (!ledger) {
    ledger = new QuotaLedger(shared.home, await measureUsage(join(session.context.layout.storage, shared.home)), () => shared.limit);
    sessionLedgers.set(session, ledger);
  }
  return ledger;
}

export const TRANSFER_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
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
  // Uploads stored as binary, whatever the TYPE.
  'stor-overwrite-not-atomic': {
    parts: (parts) => withHandlers(withoutWriterLocks(parts), ['STOR'], storInPlace),
  },
  // Besides the naive path mapping (parts/jail.ts): STOU stores under the whole path it was given.
  'jail-naive-join': {
    parts: (parts) => withHandlers(parts, ['STOU'], stouAtGivenPath),
  },
  'type-a-upload-not-converted': {
    parts: (parts) => withHandlers(parts, UPLOADS, (inner) => asIfType(inner, 'I', 'A')),
  },
  // Downloads sent as binary, whatever the TYPE.
  'type-a-download-not-converted': {
    parts: (parts) => withHandlers(parts, ['RETR'], (inner) => asIfType(inner, 'I', 'A')),
  },
  'type-i-corrupts-byte': {
    parts: (parts) => withHandlers(parts, ['RETR'], (inner) => (session, argument) => (session.transferType === 'I' ? sevenBitRetr(session, argument) : inner(session, argument))),
  },
  'hash-ignores-rest': first(['HASH'], (session) => {
    session.restOffset = 0;
  }),
  // Uploads counted but never refused (SITE QUOTA's limit=0 is parts/site.ts's).
  'quota-ignored': {
    parts: (parts) => uploadsCountAgainst(parts, (_session, _path, ledger) => ledger && unlimited(ledger)),
  },
  // One look at the usage when the upload starts (ledgerFor is asked then), none after.
  'quota-checked-at-start': {
    parts: (parts) =>
      uploadsCountAgainst(parts, (_session, _path, ledger) => {
        if (ledger && ledger.available() <= 0) throw new QuotaExceededError(ledger.home);
        return ledger && unlimited(ledger);
      }),
  },
  'quota-limit-inclusive': {
    parts: (parts) => uploadsCountAgainst(parts, (_session, _path, ledger) => ledger && ledgerView(ledger, { tryReserve: (bytes) => bytes < ledger.available() && ledger.tryReserve(bytes) })),
  },
  // The upload's own bytes compared with the limit, not added to the home's usage (each upload asks ledgerFor once).
  'quota-per-file': {
    parts: (parts) =>
      uploadsCountAgainst(parts, (_session, _path, ledger) => {
        let own = 0;
        return ledger && ledgerView(ledger, {
          tryReserve: (bytes) => {
            if (ledger.limit !== 0 && own + bytes > ledger.limit) return false;
            own += bytes;
            return unlimited(ledger).tryReserve(bytes);
          },
        });
      }),
  },
  'quota-overflow-kept': { parts: writesFirstChecksAfter },
  // The new file put in place, the old one still counted.
  'quota-replace-not-credited': {
    parts: (parts) =>
      uploadsCountAgainst(parts, (_session, _path, ledger) =>
        ledger && ledgerView(ledger, {
          place: async (_bytes, reserved, _replaced, move) => {
            await move();
            ledger.commit(reserved);
          },
        }),
      ),
  },
  'quota-abort-not-counted': { parts: cutUploadsUncounted },
  'quota-per-session': {
    parts: (parts) => ({
      ...parts,
      quotaLedger: async (session, path) => {
        const shared = await parts.quotaLedger(session, path);
        return shared && ledgerOfSession(session, shared);
      },
    }),
  },
  'quota-only-in-cwd': {
    parts: (parts) => uploadsCountAgainst(parts, (session, path, ledger) => (virtualParent(path) === session.cwd ? ledger : null)),
  },
  'quota-appends-unlocked': { parts: withoutWriterLocks },
  'hash-wrong-range': {
    parts: (parts) => withHandlers(parts, ['HASH'], () => hashShortByOne),
  },
};
