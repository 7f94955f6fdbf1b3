/** Faults of CWD, PWD, MKD, RMD, DELE, RNFR/RNTO, SIZE, MDTM (src/handlers/navigation.ts). */
import { copyFile, lstat, mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { firstLine, rewritingReplies, withHandlers, type ReplyParts } from '../compose.ts';
import type { Handler } from '../../src/protocol/command-spec.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { FtpReplyError } from '../../src/errors.ts';
import { measureUsage } from '../../src/quota.ts';
import { ledgerFor } from '../../src/handlers/quota-scope.ts';
import { quotePath, type VirtualPath } from '../../src/vfs/virtual-path.ts';
import type { ServerContext } from '../../src/server-context.ts';
import type { Session } from '../../src/session.ts';

/** The verbs of RFC 959 with their RFC 775 twins, which share a handler. */
const PWD = ['PWD', 'XPWD'];
const MKD = ['MKD', 'XMKD'];

/** A 257 whose leading quoted path (RFC 959 Appendix II, `""` for a quote inside) is given bare. */
function unquoted(reply: ReplyParts): ReplyParts {
  if (reply.code !== Reply.pathCreated) return reply;
  const text = firstLine(reply.text).replace(/^"((?:[^"]|"")*)"/, (_, path: string) => path.replace(/""/g, '"'));
  return { code: reply.code, text };
}

/** PWD's 257 with the current directory's place on the server's disk instead of its virtual path. */
function withRealPath(reply: ReplyParts, session: Session): ReplyParts {
  if (reply.code !== Reply.pathCreated) return reply;
  const real = join(session.requireIdentity().jail.root, session.cwd) as VirtualPath;
  return { code: reply.code, text: firstLine(reply.text).replace(quotePath(session.cwd), () => quotePath(real)) };
}

/** MDTM's 213 YYYYMMDDHHMMSS written as ISO 8601 instead. */
function isoTime(reply: ReplyParts): ReplyParts {
  const parts = reply.code === Reply.fileStatus ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(firstLine(reply.text)) : null;
  if (!parts) return reply;
  const [year, month, day, hours, minutes, seconds] = parts.slice(1).map(Number) as [number, number, number, number, number, number];
  return { code: reply.code, text: new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds)).toISOString() };
}

/** MKD the naive way: is the name free? Then create it like `mkdir -p`, which never fails for a folder that exists by then. */
async function mkdirAfterCheck(session: Session, argument: string): Promise<void> {
  const path = await session.resolvePath(argument);
  try {
    if (await lstat(path.real).then(() => true, () => false)) throw new FtpReplyError(Reply.fileUnavailable, 'File exists.');
    await mkdir(path.real, { recursive: true });
  } finally {
    path.close();
  }
  session.reply(Reply.pathCreated, `${quotePath(path.virtual)} created.`);
}

/** DELE the naive way: is it a file? Then remove it like `rm -f`, which never fails for a file gone by then. */
async function deleteLikeRmForce(session: Session, argument: string): Promise<void> {
  const path = await session.resolvePath(argument);
  try {
    const info = await lstat(path.real);
    if (info.isDirectory()) throw new FtpReplyError(Reply.fileUnavailable, 'Is a directory; use RMD.');
    const ledger = await ledgerFor(session, path.virtual);
    await rm(path.real, { force: true });
    ledger?.removed(info);
  } finally {
    path.close();
  }
  session.reply(Reply.fileActionOk, 'File deleted.');
}

/** RNTO the naive way: copy the file to its new name, then delete the old one (two renames of one file both "succeed"). */
async function renameByCopying(session: Session, argument: string): Promise<void> {
  const from = session.renameFrom;
  session.renameFrom = null;
  if (!from) throw new FtpReplyError(Reply.badSequence, 'RNFR required first.');
  const source = session.requireIdentity().jail.pin(from);
  try {
    const to = await session.resolvePath(argument);
    try {
      await copyFile(source.real, to.real);
      await unlink(source.real);
    } finally {
      to.close();
    }
  } finally {
    source.close();
  }
  session.reply(Reply.fileActionOk, 'Rename successful.');
}

/** The bytes `path` holds (all of a folder's files), or 0 if it cannot be read. */
async function bytesOf(session: Session, path: VirtualPath): Promise<number> {
  try {
    const held = session.requireIdentity().jail.pin(path);
    try {
      const info = await lstat(held.real);
      return info.isDirectory() ? await measureUsage(held.real) : info.size;
    } finally {
      held.close();
    }
  } catch {
    return 0;
  }
}

/** What the argument of a command names, as a virtual path. */
function virtualOf(session: Session, argument: string): VirtualPath {
  return session.requireIdentity().jail.virtualOf(session.cwd, argument);
}

/** The RNFR source of the last session of a server that sent RNFR: one slot per server, not per session. */
const sharedRenameSources = new WeakMap<ServerContext, VirtualPath>();

const remembersRenameServerWide = (inner: Handler, verb: string): Handler =>
  verb === 'RNFR'
    ? async (session, argument) => {
        await inner(session, argument);
        if (session.renameFrom) sharedRenameSources.set(session.context, session.renameFrom);
      }
    : async (session, argument) => {
        session.renameFrom = sharedRenameSources.get(session.context) ?? null;
        await inner(session, argument);
      };

export const NAVIGATION_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  'rfc959-size-off-by-one': {
    parts: (parts) => withHandlers(parts, ['SIZE'], (inner) => rewritingReplies(inner, (reply) => (reply.code === 213 ? { code: 213, text: String(Number(firstLine(reply.text)) + 1) } : reply))),
  },
  'rfc959-path-unquoted': { parts: (parts) => withHandlers(parts, [...PWD, ...MKD], (inner) => rewritingReplies(inner, unquoted)) },
  'jail-pwd-real-path': { parts: (parts) => withHandlers(parts, PWD, (inner) => rewritingReplies(inner, withRealPath)) },
  'rfc959-mdtm-iso': { parts: (parts) => withHandlers(parts, ['MDTM'], (inner) => rewritingReplies(inner, isoTime)) },
  'rfc959-rnfr-200': {
    parts: (parts) => withHandlers(parts, ['RNFR'], (inner) => rewritingReplies(inner, (reply) => (reply.code === Reply.pendingFurtherInfo ? { ...reply, code: Reply.ok } : reply))),
  },
  // RNTO goes ahead without a source and fails as a rename of nothing would.
  'rfc959-rnto-no-sequence-check': {
    parts: (parts) => withHandlers(parts, ['RNTO'], (inner) => rewritingReplies(inner, (reply) => (reply.code === Reply.badSequence ? { ...reply, code: Reply.fileUnavailable } : reply))),
  },
  'mkd-check-then-create': { parts: (parts) => withHandlers(parts, MKD, () => mkdirAfterCheck) },
  'dele-force': { parts: (parts) => withHandlers(parts, ['DELE'], () => deleteLikeRmForce) },
  'rename-copy-then-delete': { parts: (parts) => withHandlers(parts, ['RNTO'], () => renameByCopying) },
  'shared-rename-state': { parts: (parts) => withHandlers(parts, ['RNFR', 'RNTO'], remembersRenameServerWide) },
  // A folder costs a disk block, as `du` counts it.
  'quota-mkdir-charged': {
    parts: (parts) =>
      withHandlers(parts, MKD, (inner) => async (session, argument) => {
        await inner(session, argument);
        (await ledgerFor(session, virtualOf(session, argument)))?.adjust(4096);
      }),
  },
  // The file is credited when deleted, then charged again.
  'quota-delete-not-credited': {
    parts: (parts) =>
      withHandlers(parts, ['DELE'], (inner) => async (session, argument) => {
        const path = virtualOf(session, argument);
        const bytes = await bytesOf(session, path);
        await inner(session, argument);
        (await ledgerFor(session, path))?.adjust(bytes);
      }),
  },
  'quota-rename-counted-twice': {
    parts: (parts) =>
      withHandlers(parts, ['RNTO'], (inner) => async (session, argument) => {
        const bytes = session.renameFrom ? await bytesOf(session, session.renameFrom) : 0;
        await inner(session, argument);
        (await ledgerFor(session, virtualOf(session, argument)))?.adjust(bytes);
      }),
  },
};
