/**
 * Reads a LIST reply's lines: the Unix `ls -l` form most servers send and the
 * DOS/IIS form. RFC 959 §4.1.3 leaves LIST's format to the server ("the data
 * will be transferred ... in a form the user can read"), yet every file manager
 * parses one of these two; a line in neither is one no client can show. Pure.
 */

export interface ListingEntry {
  name: string;
  kind: 'file' | 'dir' | 'link' | 'other';
  size: number;
}

export interface ParsedListing {
  entries: ListingEntry[];
  /** Non-empty lines in neither form (a `total N` line is allowed). */
  unparsed: string[];
}

// type, permissions (ACL mark optional), links, owner, [group], size, date (Mon dd hh:mm | Mon dd yyyy), name
const UNIX = /^([-dlbcps])[-rwxsStTl]{9}[+@.]?\s+\d+\s+\S+(?:\s+\S+)?\s+(\d+)\s+[A-Za-z]{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s(.+)$/;
const DOS = /^\d{2}-\d{2}-\d{2,4}\s+\d{1,2}:\d{2}\s*[AP]M\s+(<DIR>|\d+)\s+(.+)$/i;
const TOTAL = /^total\s+\d+$/i;

export function parseListLine(line: string): ListingEntry | null {
  const unix = UNIX.exec(line);
  if (unix) {
    const type = unix[1] as string;
    const kind = type === '-' ? 'file' : type === 'd' ? 'dir' : type === 'l' ? 'link' : 'other';
    const name = kind === 'link' ? (unix[3] as string).split(' -> ')[0] as string : (unix[3] as string);
    return { name: name.trimStart(), kind, size: Number(unix[2]) };
  }
  const dos = DOS.exec(line);
  if (dos) {
    const dir = (dos[1] as string).toUpperCase() === '<DIR>';
    return { name: dos[2] as string, kind: dir ? 'dir' : 'file', size: dir ? 0 : Number(dos[1]) };
  }
  return null;
}

export function parseListing(text: string): ParsedListing {
  const entries: ListingEntry[] = [];
  const unparsed: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || TOTAL.test(line.trim())) continue;
    const entry = parseListLine(line);
    if (entry) entries.push(entry);
    else unparsed.push(line);
  }
  return { entries, unparsed };
}
