/**
 * LIST, NLST, MLSD, MLST. Entries are read through the jail: a symlink is shown
 * as what it points to when that lies inside the root, and not at all when it
 * leads outside or nowhere, so no listing hints at anything beyond the root.
 */
import { lstat, readdir } from 'node:fs/promises';
import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import { OutsideJailError } from '../vfs/jail.ts';
import { openFolder, pathOfHandle } from '../vfs/no-follow.ts';
import { formatFacts, formatLsLine, type EntryInfo } from '../vfs/listing.ts';
import { virtualJoin, virtualName, virtualParent, type VirtualPath } from '../vfs/virtual-path.ts';
import type { Session } from '../session.ts';

type Style = 'long' | 'names' | 'facts';

/** `LIST -la dir` is common: leading option words are dropped (as ls-like servers do). */
export function stripListOptions(argument: string): string {
  return argument.replace(/^(\s*-[a-zA-Z]+\s*)+/, '').trim();
}

function hasGlob(segment: string): boolean {
  return /[*?]/.test(segment);
}

/** `*` and `?` within one name segment; every other character is literal, so a pattern never reaches another folder. */
function globToRegExp(pattern: string): RegExp {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

function toEntry(name: string, info: Stats): EntryInfo {
  return { name, kind: info.isDirectory() ? 'dir' : 'file', size: info.isDirectory() ? 0 : info.size, mtime: info.mtime, mode: info.mode & 0o777 };
}

/** Stat through the jail: null for anything that is not inside the root, or not a file or folder. */
async function statInside(session: Session, path: VirtualPath): Promise<Stats | null> {
  try {
    const held = session.requireIdentity().jail.pin(path);
    // The jail followed a link at the last name; one swapped in since shows as a link, so not at all.
    const info = await lstat(held.real).finally(() => held.close());
    return info.isFile() || info.isDirectory() ? info : null;
  } catch (error) {
    if (error instanceof OutsideJailError) return null;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'ELOOP') return null;
    throw error;
  }
}

/**
 * Entries are stat'ed synchronously, a batch at a time with a turn of the event
 * loop between batches. A stat of a local file is a couple of microseconds
 * done in place but about ten through the thread pool (queueing, wake-ups, a
 * promise each): the session benchmark spent a quarter of its CPU there. A
 * batch is bounded, so a huge folder never holds other sessions up for long.
 */
const STAT_BATCH = 256;

function statEntry(real: string): Stats | null {
  try {
    return lstatSync(real);
  } catch {
    return null;
  }
}

async function directoryEntries(session: Session, dir: VirtualPath, filter: RegExp | null): Promise<EntryInfo[]> {
  const held = session.requireIdentity().jail.pin(dir);
  // The folder is opened (never through a link) and read through its descriptor, so a
  // rename of its name meanwhile cannot make this list another folder.
  const folder = await openFolder(held.real).finally(() => held.close());
  try {
    const real = pathOfHandle(folder);
    const dirents = (await readdir(real, { withFileTypes: true })).filter((entry) => !filter || filter.test(entry.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries: EntryInfo[] = [];
    for (let start = 0; start < dirents.length; start += STAT_BATCH) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const entry of dirents.slice(start, start + STAT_BATCH)) {
        // A plain file or folder inside a folder held inside the jail is inside it too; only a
        // symlink needs the full check, which also hides one that leads out.
        const info = entry.isSymbolicLink() ? await statInside(session, virtualJoin(dir, entry.name)) : statEntry(join(real, entry.name));
        if (info && (info.isFile() || info.isDirectory())) entries.push(toEntry(entry.name, info));
      }
    }
    return entries;
  } finally {
    await folder.close();
  }
}

/** The lines of a listing of `argument` (a folder, a file, or a glob in the last segment). */
export async function listingLines(session: Session, argument: string, style: Style): Promise<string[]> {
  const target = argument === '' ? session.cwd : session.requireIdentity().jail.virtualOf(session.cwd, argument);
  const last = virtualName(target);
  let entries: EntryInfo[];
  if (argument !== '' && hasGlob(last)) {
    entries = await directoryEntries(session, virtualParent(target), globToRegExp(last));
  } else {
    const info = await statInside(session, target);
    if (!info) throw new FtpReplyError(Reply.fileUnavailable, 'No such file or directory.');
    entries = info.isDirectory() ? await directoryEntries(session, target, null) : [toEntry(last, info)];
  }
  const writable = !session.requireIdentity().readOnly;
  const now = new Date();
  return entries.map((entry) =>
    style === 'long' ? formatLsLine(entry, now) : style === 'names' ? entry.name : formatFacts(entry, entry.kind, writable, entry.name),
  );
}

/** Sends `lines` over the data connection, in UTF-8 (RFC 2640). */
export async function sendListing(session: Session, lines: string[], what: string): Promise<void> {
  const body = Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8');
  const result = await session.runTransfer(`Here comes the ${what}.`, async (data, signal) => {
    if (signal.aborted) throw new Error('aborted');
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      data.write(body, (error) => {
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      });
    });
    return body.length;
  });
  void result;
}

export async function handleList(session: Session, argument: string): Promise<void> {
  const lines = await listingLines(session, stripListOptions(argument), 'long');
  await sendListing(session, lines, 'directory listing');
}

export async function handleNlst(session: Session, argument: string): Promise<void> {
  const lines = await listingLines(session, stripListOptions(argument), 'names');
  await sendListing(session, lines, 'name list');
}

/** RFC 3659 §7: MLSD lists a directory's entries, a `type=cdir` line for the directory itself first. */
export async function handleMlsd(session: Session, argument: string): Promise<void> {
  const target = argument === '' ? session.cwd : session.requireIdentity().jail.virtualOf(session.cwd, argument);
  const info = await statInside(session, target);
  if (!info) throw new FtpReplyError(Reply.fileUnavailable, 'No such file or directory.');
  if (!info.isDirectory()) throw new FtpReplyError(Reply.argumentSyntaxError, 'Not a directory; use MLST for a file.');
  const writable = !session.requireIdentity().readOnly;
  const self = formatFacts(toEntry('.', info), 'cdir', writable, '.');
  const lines = [self, ...(await listingLines(session, argument === '' ? '.' : argument, 'facts'))];
  await sendListing(session, lines, 'machine listing');
}

/** RFC 3659 §7.2: the facts of one path over the control connection. */
export async function handleMlst(session: Session, argument: string): Promise<void> {
  const target = argument === '' ? session.cwd : session.requireIdentity().jail.virtualOf(session.cwd, argument);
  const info = await statInside(session, target);
  if (!info) throw new FtpReplyError(Reply.fileUnavailable, 'No such file or directory.');
  const writable = !session.requireIdentity().readOnly;
  const line = formatFacts(toEntry(virtualName(target), info), info.isDirectory() ? 'dir' : 'file', writable, target);
  session.reply(Reply.fileActionOk, [`Listing ${target}`, line, 'End']);
}
