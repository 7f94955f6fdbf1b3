/** PWD, CWD, CDUP, MKD, RMD, DELE, RNFR, RNTO, SIZE, MDTM: the filesystem without data connections. */
import { mkdir, rename, rmdir, unlink, lstat, type FileHandle } from 'node:fs/promises';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError, NO_SUCH_FILE } from '../errors.ts';
import { quotePath, VIRTUAL_ROOT, type VirtualPath } from '../vfs/virtual-path.ts';
import { formatTimeVal } from '../vfs/listing.ts';
import { measureUsage, type QuotaLedger } from '../quota.ts';
import { underNameLocks } from './file-locks.ts';
import { homeOf, ledgerFor } from './quota-scope.ts';
import { openBeforeRemoval, openToRead } from '../vfs/no-follow.ts';
import type { JailPath } from '../vfs/jail.ts';
import type { Session } from '../session.ts';

/** Runs `act` on a client path (or a virtual path kept from an earlier command) resolved in the jail, then lets its folder go. */
async function withPath<T>(session: Session, argument: string | { virtual: VirtualPath }, act: (path: JailPath) => Promise<T>): Promise<T> {
  const path = typeof argument === 'string' ? await session.resolvePath(argument) : session.requireIdentity().jail.pin(argument.virtual);
  try {
    return await act(path);
  } finally {
    path.close();
  }
}

export function handlePwd(session: Session): void {
  session.reply(Reply.pathCreated, `${quotePath(session.cwd)} is the current directory.`);
}

export async function handleCwd(session: Session, argument: string): Promise<void> {
  const virtual = await withPath(session, argument, async ({ virtual, real }) => {
    if (!(await lstat(real)).isDirectory()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a directory.');
    return virtual;
  });
  session.cwd = virtual;
  session.reply(Reply.fileActionOk, `Directory changed to ${quotePath(virtual)}.`);
}

export async function handleCdup(session: Session): Promise<void> {
  await handleCwd(session, '..');
}

export async function handleMkd(session: Session, argument: string): Promise<void> {
  const virtual = await withPath(session, argument, async ({ virtual, real }) => {
    if (virtual === VIRTUAL_ROOT) throw new FtpReplyError(Reply.fileUnavailable, 'File exists.');
    // One step that fails if the name exists: of parallel MKDs of one name, one wins.
    await mkdir(real);
    return virtual;
  });
  session.context.logs.files.info({ session: session.id, user: session.who, action: 'mkdir', path: virtual }, 'mkdir');
  session.reply(Reply.pathCreated, `${quotePath(virtual)} created.`);
}

export async function handleRmd(session: Session, argument: string): Promise<void> {
  const virtual = await withPath(session, argument, async ({ virtual, real }) => {
    if (virtual === VIRTUAL_ROOT) throw new FtpReplyError(Reply.fileUnavailable, 'Permission denied.');
    if (!(await lstat(real)).isDirectory()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a directory.');
    if (session.cwd === virtual || session.cwd.startsWith(`${virtual}/`)) throw new FtpReplyError(Reply.fileUnavailable, 'Cannot remove the current directory.');
    await rmdir(real);
    return virtual;
  });
  session.context.logs.files.info({ session: session.id, user: session.who, action: 'rmdir', path: virtual }, 'rmdir');
  session.reply(Reply.fileActionOk, 'Directory removed.');
}

export async function handleDele(session: Session, argument: string): Promise<void> {
  const { virtual, info } = await withPath(session, argument, async ({ virtual, real, key }) => {
    const ledger = await ledgerFor(session, virtual);
    // What the name holds, its removal and its count in the quota, with no other such step between.
    return underNameLocks(session.context, [key], async () => {
      const info = await lstat(real);
      if (info.isDirectory()) throw new FtpReplyError(Reply.fileUnavailable, 'Is a directory; use RMD.');
      const file = await openBeforeRemoval(real);
      try {
        await unlink(real);
        if (file) ledger?.removed(await file.stat());
      } finally {
        await file?.close();
      }
      return { virtual, info };
    });
  });
  session.context.logs.files.info({ session: session.id, user: session.who, action: 'delete', path: virtual, bytes: info.size }, 'delete');
  session.reply(Reply.fileActionOk, 'File deleted.');
}

export async function handleRnfr(session: Session, argument: string): Promise<void> {
  const target = await withPath(session, argument, async ({ virtual, real }) => {
    if (virtual === VIRTUAL_ROOT) throw new FtpReplyError(Reply.fileUnavailable, 'Permission denied.');
    await lstat(real);
    return virtual;
  });
  // Only the name is kept: RNTO resolves it again, in the same step as the rename.
  session.renameFrom = target;
  session.reply(Reply.pendingFurtherInfo, 'Ready for RNTO.');
}

export async function handleRnto(session: Session, argument: string): Promise<void> {
  const from = session.renameFrom;
  session.renameFrom = null;
  if (!from) throw new FtpReplyError(Reply.badSequence, 'RNFR required first.');
  const to = await withPath(session, argument, async (to) =>
    withPath(session, { virtual: from }, async (source) => {
      if (to.virtual === VIRTUAL_ROOT || to.virtual === source.virtual || to.virtual.startsWith(`${source.virtual}/`)) {
        throw new FtpReplyError(Reply.fileUnavailable, 'Cannot rename to that name.');
      }
      const toLedger = await ledgerFor(session, to.virtual);
      return underNameLocks(session.context, [source.key, to.key], () => renameCounted(session, source, to, toLedger));
    }),
  );
  session.context.logs.files.info({ session: session.id, user: session.who, action: 'rename', from, to }, 'rename');
  session.reply(Reply.fileActionOk, 'Rename successful.');
}

/** The rename itself, under the name locks of both names: a file it replaces leaves the quota. */
async function renameCounted(session: Session, source: JailPath, to: JailPath, toLedger: QuotaLedger | null): Promise<VirtualPath> {
  const moved = await lstat(source.real);
  const fromHome = homeOf(session, source.virtual);
  const toHome = homeOf(session, to.virtual);
  const existing = await lstat(to.real).catch(() => null);
  if (existing?.isDirectory()) throw new FtpReplyError(Reply.fileUnavailable, 'File exists.');
  const bytes = moved.isDirectory() ? await measureUsage(source.real) : moved.size;
  const replaced = existing ? await openBeforeRemoval(to.real) : null;
  try {
    await rename(source.real, to.real);
    if (replaced) toLedger?.removed(await replaced.stat());
  } finally {
    await replaced?.close();
  }
  if (fromHome !== toHome) {
    (await ledgerFor(session, source.virtual))?.adjust(-bytes);
    (await ledgerFor(session, to.virtual))?.adjust(bytes);
  }
  return to.virtual;
}

/** RFC 3659 §4: the size in octets of the file as it would be transferred in the current TYPE. */
export async function handleSize(session: Session, argument: string): Promise<void> {
  const file = await withPath(session, argument, ({ real }) => openToRead(real));
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a regular file.');
    const size = session.transferType === 'A' ? await asciiSize(file) : info.size;
    session.reply(Reply.fileStatus, String(size));
  } finally {
    await file.close();
  }
}

/** Size after LF -> CRLF conversion: each bare LF gains one byte. */
async function asciiSize(file: FileHandle): Promise<number> {
  let size = 0;
  let previous = -1;
  for await (const chunk of file.createReadStream({ start: 0, autoClose: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a && (i === 0 ? previous : chunk[i - 1]) !== 0x0d) size++;
    }
    previous = chunk[chunk.length - 1] ?? previous;
  }
  return size;
}

/** RFC 3659 §3: modification time of a file as YYYYMMDDHHMMSS in UTC. */
export async function handleMdtm(session: Session, argument: string): Promise<void> {
  const info = await withPath(session, argument, ({ real }) => lstat(real));
  if (!info.isFile()) throw new FtpReplyError(Reply.fileUnavailable, NO_SUCH_FILE);
  session.reply(Reply.fileStatus, formatTimeVal(info.mtime));
}

