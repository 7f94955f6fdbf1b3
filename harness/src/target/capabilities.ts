/**
 * What a target can do, read from FEAT (RFC 2389) and SITE HELP, plus the
 * roles it has accounts for and the limits its profile declares. Parsers pure.
 *
 * Names: a FEAT line's first word (`MLST`, `EPSV`, `HASH`) and its first two
 * words when it has more (`AUTH TLS`, `REST STREAM`); `SITE <SUB>` for each
 * SITE subcommand; `role:<role>`; `limit:connections`, `limit:per-user`,
 * `limit:idle`, `limit:data-timeout`; `tls` with AUTH TLS.
 */
import type { Reply } from '../wire/reply-parser.ts';

export function parseFeat(reply: Reply): string[] {
  if (reply.code !== 211) return [];
  const names = new Set<string>();
  for (const line of reply.lines.slice(1, -1)) {
    const words = line.trim().toUpperCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    names.add(words[0] as string);
    if (words.length > 1 && /^[A-Z0-9-]+$/.test(words[1] as string)) names.add(`${words[0]} ${words[1]}`);
  }
  return [...names];
}

/** SITE HELP bodies vary: one subcommand per line (ftp-ref), or several per line (proftpd, pure-ftpd). */
export function parseSiteHelp(reply: Reply): string[] {
  if (reply.code < 200 || reply.code >= 300) return [];
  const names = new Set<string>();
  for (const line of reply.lines.slice(1, -1)) {
    const body = line.replace(/^\d{3}[- ]?/, '').trim();
    const first = body.split(/\s+/)[0] ?? '';
    if (/^[A-Z][A-Z0-9]{1,15}$/.test(first)) names.add(`SITE ${first}`);
    for (const word of body.split(/\s+/).slice(1)) if (/^[A-Z][A-Z0-9]{2,15}$/.test(word) && !/^HELP$/.test(word)) names.add(`SITE ${word}`);
  }
  return [...names];
}

/** The capability of a target that claims the file-manager protocol (docs/protocol.md): its rules hold at MUST level there. */
export const FILE_MANAGER = 'file-manager';

/** The protocol's own SITE extensions: a server answering any of them in SITE HELP claims the protocol. */
// Not SITE QUOTA alone: proftpd's mod_quotatab has one too.
const FILE_MANAGER_SITE_COMMANDS = ['SITE REGISTER', 'SITE ADDUSER', 'SITE SETQUOTA', 'SITE DELUSER'];

export function claimsFileManagerProtocol(capabilities: ReadonlySet<string>): boolean {
  return FILE_MANAGER_SITE_COMMANDS.some((name) => capabilities.has(name));
}

/** Is every requirement met? Returns the missing ones. */
export function missingRequirements(requires: readonly string[], capabilities: ReadonlySet<string>): string[] {
  return requires.filter((name) => !capabilities.has(name));
}
