/**
 * Every error a handler can meet, mapped to a reply in one place. A path
 * outside the jail gets the same words as a missing file, so a client cannot
 * even tell that something lies outside its root.
 */
import { Reply } from './protocol/replies.ts';
import { OutsideJailError } from './vfs/jail.ts';
import { QuotaExceededError } from './quota.ts';
import { DataConnectionError } from './data/data-connections.ts';

/** A refusal a handler decides on itself, with its reply. */
export class FtpReplyError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(`${code} ${text}`);
  }
}

export const NO_SUCH_FILE = 'No such file or directory.';

export function replyForError(error: unknown): { code: number; text: string; unexpected: boolean } {
  if (error instanceof FtpReplyError) return { code: error.code, text: error.text, unexpected: false };
  if (error instanceof OutsideJailError) return { code: Reply.fileUnavailable, text: NO_SUCH_FILE, unexpected: false };
  if (error instanceof QuotaExceededError) return { code: Reply.exceededStorage, text: 'Quota exceeded: the upload would pass your storage limit.', unexpected: false };
  if (error instanceof DataConnectionError) return { code: Reply.cannotOpenData, text: "Can't open data connection.", unexpected: false };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    // ELOOP: a symlink swapped in where an O_NOFOLLOW open met it, answered as if nothing were there.
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ELOOP':
      return { code: Reply.fileUnavailable, text: NO_SUCH_FILE, unexpected: false };
    case 'EEXIST':
      return { code: Reply.fileUnavailable, text: 'File exists.', unexpected: false };
    case 'ENOTEMPTY':
      return { code: Reply.fileUnavailable, text: 'Directory not empty.', unexpected: false };
    case 'EISDIR':
      return { code: Reply.fileUnavailable, text: 'Is a directory.', unexpected: false };
    case 'EACCES':
    case 'EPERM':
      return { code: Reply.fileUnavailable, text: 'Permission denied.', unexpected: false };
    case 'ENAMETOOLONG':
      return { code: Reply.fileNameNotAllowed, text: 'File name too long.', unexpected: false };
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: Reply.insufficientStorage, text: 'Insufficient storage space on the server.', unexpected: false };
    default:
      return { code: Reply.localError, text: 'Local error in processing.', unexpected: true };
  }
}
