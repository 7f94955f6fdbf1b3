/**
 * The reply codes each FTP command may return, as data: RFC 959 §5.4 (the
 * command-reply sequences) and the RFCs that extend it. ftp-check's specs are
 * audited against this table (a refusal the RFC allows is never a failure),
 * and a debug shell can judge every reply it sees live.
 *
 * Two general rules sit above the per-command lists:
 * - RFC 959 §4.2: the first digit is the verdict (1 preliminary, 2 done,
 *   3 waiting for more, 4 transient failure, 5 permanent failure);
 *   RFC 1123 §4.1.2.11: "a server-FTP MAY use a different reply code when
 *   needed, as long as the general rules of Section 4.2 are followed". A code
 *   missing from a list is therefore unusual, not wrong, when its class fits.
 * - RFC 959 §4.2.1: 421 "may be a reply to any command if the service knows it
 *   must shut down"; 500/502 are the normal answer to a command a server does
 *   not know or implement (RFC 2389 §3: "the normal 'unrecognized command'
 *   reply that any unknown command would elicit").
 */

/** Where a command stands in the IANA FTP commands registry (RFC 5797 §3). */
export type RegistryStatus =
  /** Base FTP (RFC 959) marked mandatory to implement. */
  | 'mandatory'
  /** Base FTP (RFC 959) marked optional. */
  | 'optional'
  /** Defined by a later RFC; a server announces it in FEAT (RFC 2389). */
  | 'extension'
  /** Not in the registry: a draft, a de-facto convention, or a SITE subcommand of a protocol the target claims. */
  | 'unregistered';

export interface CommandReplies {
  /** The verb, upper case; for SITE and OPTS subcommands the two words (`SITE CPFR`, `OPTS UTF8`). */
  verb: string;
  /** Other spellings that mean the same command (RFC 775's X forms). */
  aliases?: readonly string[];
  /** 1yz replies that may come first (transfer commands: 125 or 150, 110 markers; REIN: 120). */
  preliminary?: readonly number[];
  /** 2yz: the command succeeded. */
  success: readonly number[];
  /** 3yz: accepted, the sequence goes on (USER's 331, RNFR's 350, REST's 350). */
  intermediate?: readonly number[];
  /** 4yz/5yz the source lists as the command's own answer (no 1yz before it), 421 included where it lists it. */
  error: readonly number[];
  /** 4yz/5yz the source lists only after a 1yz, when the transfer itself fails (RFC 959 §5.4's indented lines). */
  transferError?: readonly number[];
  registry: RegistryStatus;
  /** Why it has that standing: the registry, RFC 1123 §4.1.2.13's minimum implementation. */
  registrySource: string;
  /** The section the code lists come from. */
  source: string;
  /** Exceptions and readings of the text worth knowing. */
  note?: string;
}

const IANA_MANDATORY = 'IANA FTP commands registry (RFC 5797): base FTP, mandatory';
const IANA_OPTIONAL = 'IANA FTP commands registry (RFC 5797): base FTP, optional';
/** RFC 1123 §4.1.2.13 makes these MUST for every server "except where the underlying file system or operating system does not allow or support" them. */
const RFC1123_MINIMUM = 'RFC 1123 §4.1.2.13 minimum implementation: MUST';

/** Unknown or unimplemented command (RFC 959 §4.2.1; RFC 2389 §3). */
export const UNKNOWN_COMMAND_CODES: readonly number[] = [500, 502];
/** May answer any command (RFC 959 §4.2.1). */
export const ANY_COMMAND_CODES: readonly number[] = [421];

/** The greeting, keyed as its own pseudo-command (RFC 959 §5.4 "Connection Establishment"). */
export const GREETING = '(CONNECT)';

export const COMMAND_REPLIES: readonly CommandReplies[] = [
  { verb: GREETING, preliminary: [120], success: [220], error: [421], registry: 'mandatory', registrySource: 'RFC 959 §5.4 Connection Establishment', source: 'RFC 959 §5.4', note: '120 then 220 when the server is not ready at once' },

  // RFC 959 §5.4 Login
  { verb: 'USER', success: [230], intermediate: [331, 332], error: [530, 500, 501, 421], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'PASS', success: [230, 202], intermediate: [332], error: [530, 500, 501, 503, 421], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'ACCT', success: [230, 202], error: [530, 500, 501, 503, 421], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'CWD', aliases: ['XCWD'], success: [250], error: [500, 501, 502, 421, 530, 550], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  {
    verb: 'CDUP', aliases: ['XCUP'], success: [200, 250], error: [500, 501, 502, 421, 530, 550], registry: 'optional', registrySource: `${IANA_OPTIONAL}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4 (200), §4.1.1 (250)',
    note: 'RFC 959 §4.1.1: "The reply codes shall be identical to the reply codes of CWD", so 250 is as right as §5.4\'s 200',
  },
  { verb: 'SMNT', success: [202, 250], error: [500, 501, 502, 421, 530, 550], registry: 'optional', registrySource: IANA_OPTIONAL, source: 'RFC 959 §5.4' },

  // RFC 959 §5.4 Logout
  { verb: 'REIN', preliminary: [120], success: [220], error: [421, 500, 502], registry: 'mandatory', registrySource: IANA_MANDATORY, source: 'RFC 959 §5.4' },
  { verb: 'QUIT', success: [221], error: [500], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },

  // RFC 959 §5.4 Transfer parameters
  { verb: 'PORT', success: [200], error: [500, 501, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'PASV', success: [227], error: [500, 501, 502, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'MODE', success: [200], error: [500, 501, 504, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'TYPE', success: [200], error: [500, 501, 504, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'STRU', success: [200], error: [500, 501, 504, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },

  // RFC 959 §5.4 File action commands
  { verb: 'ALLO', success: [200, 202], error: [500, 501, 504, 421, 530], registry: 'mandatory', registrySource: IANA_MANDATORY, source: 'RFC 959 §5.4' },
  {
    verb: 'REST', intermediate: [350], success: [], error: [500, 501, 502, 421, 530], registry: 'mandatory', registrySource: IANA_MANDATORY, source: 'RFC 959 §5.4; RFC 3659 §5.3',
    note: 'REST only sets a marker: no 530 is needed for safety, it opens nothing; RFC 3659 §5.3 lets the following RETR/STOR/APPE answer 554 for a marker it cannot use',
  },
  { verb: 'STOR', preliminary: [125, 150, 110], success: [226, 250], transferError: [425, 426, 451, 551, 552], error: [532, 450, 452, 553, 500, 501, 421, 530, 554], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4; RFC 3659 §5.3 (554 after REST)', note: 'RFC 959 lists no 550 for STOR (553 "file name not allowed", 450/452, 532); 550 is still a 5yz refusal (RFC 1123 §4.1.2.11)' },
  { verb: 'STOU', preliminary: [125, 150, 110], success: [226, 250], transferError: [425, 426, 451, 551, 552], error: [532, 450, 452, 553, 500, 501, 421, 530], registry: 'optional', registrySource: IANA_OPTIONAL, source: 'RFC 959 §5.4; RFC 1123 §4.1.2.9', note: 'RFC 1123 §4.1.2.9: the 125/150 reply MUST carry "FILE: <name>"' },
  { verb: 'RETR', preliminary: [125, 150, 110], success: [226, 250], transferError: [425, 426, 451], error: [450, 550, 500, 501, 421, 530, 554], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4; RFC 3659 §5.3 (554 after REST)' },
  { verb: 'LIST', preliminary: [125, 150], success: [226, 250], transferError: [425, 426, 451], error: [450, 500, 501, 502, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4', note: 'RFC 959 lists no 550 for LIST/NLST; servers commonly send it for a missing path, a 5yz refusal (RFC 1123 §4.1.2.11)' },
  { verb: 'NLST', preliminary: [125, 150], success: [226, 250], transferError: [425, 426, 451], error: [450, 500, 501, 502, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4', note: 'RFC 1123 §4.1.2.7: NLST of an empty or missing directory may answer 226 with no names or 450/550' },
  { verb: 'APPE', preliminary: [125, 150, 110], success: [226, 250], transferError: [425, 426, 451, 551, 552], error: [532, 450, 550, 452, 553, 500, 501, 502, 421, 530, 554], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4; RFC 3659 §5.3 (554 after REST)' },
  { verb: 'RNFR', intermediate: [350], success: [], error: [450, 550, 500, 501, 502, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4', note: 'a server may answer 350 and report a missing file at RNTO: the sequence fails either way' },
  { verb: 'RNTO', success: [250], error: [532, 553, 500, 501, 502, 503, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'ABOR', success: [225, 226], error: [500, 501, 502, 421], registry: 'mandatory', registrySource: IANA_MANDATORY, source: 'RFC 959 §5.4' },
  { verb: 'DELE', success: [250], error: [450, 550, 500, 501, 502, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'RMD', aliases: ['XRMD'], success: [250], error: [500, 501, 502, 421, 530, 550, 450], registry: 'optional', registrySource: `${IANA_OPTIONAL}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4; Appendix II ("The reply codes for RMD be identical to the reply codes for its file analogue, DELE")' },
  {
    verb: 'MKD', aliases: ['XMKD'], success: [257], error: [500, 501, 502, 421, 530, 550, 521, 532, 450, 452, 553, 551, 552], registry: 'optional', registrySource: `${IANA_OPTIONAL}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4; Appendix II',
    note: 'Appendix II: an existing directory gets "an access denied error reply" (its example: 521 "directory already exists"), and "The failure replies for MKD are analogous to its file creating cousin, STOR"',
  },
  {
    verb: 'PWD', aliases: ['XPWD'], success: [257], error: [500, 501, 502, 421, 550], registry: 'optional', registrySource: `${IANA_OPTIONAL}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4',
    note: 'RFC 959 lists no 530 for PWD: a server may show "/" before login; 550 is listed, e.g. for PWD with an argument',
  },

  // RFC 959 §5.4 Informational commands
  { verb: 'SYST', success: [215], error: [500, 501, 502, 421], registry: 'optional', registrySource: `${IANA_OPTIONAL}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'STAT', success: [211, 212, 213], error: [450, 500, 501, 502, 421, 530], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },
  { verb: 'HELP', success: [211, 214], error: [500, 501, 502, 421], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },

  // RFC 959 §5.4 Miscellaneous commands
  { verb: 'SITE', success: [200, 202], error: [500, 501, 530], registry: 'mandatory', registrySource: IANA_MANDATORY, source: 'RFC 959 §5.4', note: 'RFC 1123 §4.1.2.8: SITE subcommands are the server\'s own; 202 "superfluous" and 502/504 for one it lacks are usual' },
  { verb: 'NOOP', success: [200], error: [500, 421], registry: 'mandatory', registrySource: `${IANA_MANDATORY}; ${RFC1123_MINIMUM}`, source: 'RFC 959 §5.4' },

  // RFC 2389 feature negotiation
  { verb: 'FEAT', success: [211], error: [500, 502], registry: 'extension', registrySource: 'RFC 2389 §3', source: 'RFC 2389 §3', note: 'RFC 2389 §3: "Where a server-FTP process does not support the FEAT command, it will respond to the FEAT command with a 500 or 502 reply"; such a server has no extensions and is not at fault' },
  { verb: 'OPTS', success: [200], error: [451, 501, 500, 502], registry: 'extension', registrySource: 'RFC 2389 §4', source: 'RFC 2389 §4', note: 'RFC 2389 §4: opts-bad is 451 or 501 ("A 501 reply is appropriate for any permanent error"); a server without OPTS answers 500/502' },

  // RFC 2428 IPv6 and NAT
  { verb: 'EPRT', success: [200], error: [522, 500, 501, 421, 530], registry: 'extension', registrySource: 'RFC 2428 §2', source: 'RFC 2428 §2 (522 protocol not supported); RFC 959 §5.4 PORT', note: 'error codes as for PORT plus 522' },
  { verb: 'EPSV', success: [229], error: [522, 500, 501, 502, 421, 530], registry: 'extension', registrySource: 'RFC 2428 §3', source: 'RFC 2428 §3 (229 MUST); RFC 959 §5.4 PASV', note: 'error codes as for PASV plus 522 for a protocol it does not serve' },

  // RFC 3659
  { verb: 'MDTM', success: [213], error: [550, 500, 501, 502, 504, 421, 530], registry: 'extension', registrySource: 'RFC 3659 §3', source: 'RFC 3659 §3', note: '550 when the file does not exist or its time is not available' },
  { verb: 'SIZE', success: [213], error: [550, 500, 501, 502, 504, 421, 530], registry: 'extension', registrySource: 'RFC 3659 §4', source: 'RFC 3659 §4', note: '550 when the file does not exist or its size cannot be given in the current TYPE' },
  { verb: 'MLST', success: [250], error: [501, 550, 500, 502, 504, 421, 530], registry: 'extension', registrySource: 'RFC 3659 §7', source: 'RFC 3659 §7.2' },
  { verb: 'MLSD', preliminary: [125, 150], success: [226, 250], transferError: [425, 426, 451], error: [501, 550, 450, 500, 502, 504, 421, 530], registry: 'extension', registrySource: 'RFC 3659 §7', source: 'RFC 3659 §7.2; RFC 959 §5.4 LIST', note: 'RFC 3659 §7.2: 501 when the path is not a directory, 550 when it does not exist' },

  // RFC 2228 command-reply sequences, as RFC 4217 uses them for TLS
  { verb: 'AUTH', success: [234], intermediate: [334], error: [502, 504, 534, 431, 500, 501, 421], registry: 'extension', registrySource: 'RFC 2228; RFC 4217 §4', source: 'RFC 2228 §5; RFC 4217 §4' },
  { verb: 'PBSZ', success: [200], error: [503, 500, 501, 421, 530], registry: 'extension', registrySource: 'RFC 2228; RFC 4217 §8', source: 'RFC 2228 §5; RFC 4217 §8' },
  { verb: 'PROT', success: [200], error: [504, 536, 503, 534, 431, 500, 501, 421, 530], registry: 'extension', registrySource: 'RFC 2228; RFC 4217 §9', source: 'RFC 2228 §5; RFC 4217 §9' },
  { verb: 'CCC', success: [200], error: [500, 533, 534], registry: 'extension', registrySource: 'RFC 2228; RFC 4217 §12.3', source: 'RFC 2228 §5' },

  // RFC 2640 internationalisation
  { verb: 'LANG', success: [200], error: [421, 500, 501, 502, 504], registry: 'extension', registrySource: 'RFC 2640 §4.1', source: 'RFC 2640 §4.1' },
  { verb: 'OPTS UTF8', success: [200, 202], error: [451, 501, 500, 502, 504], registry: 'unregistered', registrySource: 'de-facto (draft-ietf-ftpext-utf-8-option); RFC 2640 always uses UTF-8', source: 'RFC 2389 §4 (OPTS replies)', note: 'a server that is always UTF-8 may answer 200 or 202; one that is never UTF-8 refuses' },

  // Drafts the file-manager protocol names
  { verb: 'HASH', success: [213], error: [450, 500, 501, 502, 504, 550, 556, 421, 530], registry: 'unregistered', registrySource: 'draft-bryan-ftpext-hash', source: 'draft-bryan-ftpext-hash §3', note: '450 while the file is busy, 550 no such file, 556 a range it cannot hash; OPTS HASH picks the algorithm' },
  { verb: 'OPTS HASH', success: [200], error: [501, 504, 500, 502], registry: 'unregistered', registrySource: 'draft-bryan-ftpext-hash', source: 'draft-bryan-ftpext-hash §4; RFC 2389 §4' },
  { verb: 'AVBL', success: [213], error: [550, 500, 501, 502, 421, 530], registry: 'unregistered', registrySource: 'draft-peterson-streamlined-ftp-command-extensions', source: 'draft-peterson-streamlined-ftp-command-extensions; /work/shared/protocol.md' },

  // SITE subcommands: only for targets that claim them (SITE HELP or FEAT). SITE's own errors (500, 501, 530) hold too.
  { verb: 'SITE HELP', success: [200, 214], error: [502, 504], registry: 'unregistered', registrySource: 'common SITE subcommand', source: 'file-manager protocol (SITE HELP: 214)' },
  { verb: 'SITE REGISTER', success: [200], error: [550, 502], registry: 'unregistered', registrySource: 'file-manager protocol', source: 'file-manager protocol: 550 name taken or invalid, 502 registration off' },
  { verb: 'SITE QUOTA', success: [200], error: [530], registry: 'unregistered', registrySource: 'file-manager protocol', source: 'file-manager protocol' },
  { verb: 'SITE CPFR', intermediate: [350], success: [], error: [550], registry: 'unregistered', registrySource: 'proftpd mod_copy convention', source: 'file-manager protocol; proftpd mod_copy' },
  { verb: 'SITE CPTO', success: [250], error: [550, 552, 503], registry: 'unregistered', registrySource: 'proftpd mod_copy convention', source: 'file-manager protocol; proftpd mod_copy' },
  { verb: 'SITE USERS', success: [200], error: [550], registry: 'unregistered', registrySource: 'file-manager protocol', source: 'file-manager protocol' },
  { verb: 'SITE ADDUSER', success: [200], error: [550], registry: 'unregistered', registrySource: 'file-manager protocol', source: 'file-manager protocol' },
  { verb: 'SITE DELUSER', success: [200], error: [550], registry: 'unregistered', registrySource: 'file-manager protocol', source: 'file-manager protocol' },
  { verb: 'SITE SETQUOTA', success: [200], error: [550], registry: 'unregistered', registrySource: 'file-manager protocol', source: 'file-manager protocol' },
];

/** Which of RFC 959 §4.2's five classes a code is in. */
export type ReplyClass = 'preliminary' | 'completion' | 'intermediate' | 'transient-negative' | 'permanent-negative';

export function replyClass(code: number): ReplyClass | null {
  switch (Math.floor(code / 100)) {
    case 1: return 'preliminary';
    case 2: return 'completion';
    case 3: return 'intermediate';
    case 4: return 'transient-negative';
    case 5: return 'permanent-negative';
    default: return null;
  }
}

/** A 4yz or 5yz reply: the command was not done (RFC 959 §4.2). */
export function isRefusal(code: number): boolean {
  return code >= 400 && code < 600;
}

const BY_VERB = new Map<string, CommandReplies>();
for (const entry of COMMAND_REPLIES) {
  BY_VERB.set(entry.verb, entry);
  for (const alias of entry.aliases ?? []) BY_VERB.set(alias, entry);
}

/** The entries a command line is judged by: the verb's own, then (for SITE/OPTS) the subcommand's; empty when the verb is unknown. */
export function entriesFor(line: string): CommandReplies[] {
  const words = line.trim().split(/\s+/);
  const verb = (words[0] ?? '').toUpperCase();
  const base = BY_VERB.get(verb);
  if (!base) return [];
  if (verb !== 'SITE' && verb !== 'OPTS') return [base];
  const sub = BY_VERB.get(`${verb} ${(words[1] ?? '').toUpperCase()}`);
  return sub ? [base, sub] : [base];
}

/** Every code listed for a line (the verb's and its subcommand's, plus 421), by role. */
export interface ListedReplies {
  preliminary: number[];
  success: number[];
  intermediate: number[];
  error: number[];
  transferError: number[];
  sources: string[];
}

export function listedReplies(line: string): ListedReplies | null {
  const entries = entriesFor(line);
  if (entries.length === 0) return null;
  const union = (pick: (entry: CommandReplies) => readonly number[] | undefined, extra: readonly number[] = []) =>
    [...new Set([...entries.flatMap((entry) => pick(entry) ?? []), ...extra])].sort((a, b) => a - b);
  // A subcommand's own successes replace SITE's/OPTS's generic 200/202; refusals add up.
  const specific = entries[entries.length - 1] as CommandReplies;
  return {
    preliminary: union((entry) => entry.preliminary),
    success: [...specific.success].sort((a, b) => a - b),
    intermediate: [...(specific.intermediate ?? [])].sort((a, b) => a - b),
    error: union((entry) => entry.error, ANY_COMMAND_CODES),
    transferError: union((entry) => entry.transferError),
    sources: entries.map((entry) => `${entry.verb}: ${entry.source}`),
  };
}

export type ReplyVerdict =
  /** The source lists this code for the command, in this role. */
  | { kind: 'preliminary' | 'success' | 'intermediate' | 'refusal'; listed: true; source: string[] }
  /** Not listed, but its class has a meaning (RFC 1123 §4.1.2.11: allowed when §4.2's general rules hold). */
  | { kind: 'unlisted'; listed: false; replyClass: ReplyClass | null; source: string[] }
  /** The command is not in the table: only the class can be judged. */
  | { kind: 'unknown-command'; listed: false; replyClass: ReplyClass | null; source: string[] };

/** How a reply to a command line stands against the table (for a shell that checks replies live). */
export function judgeReply(line: string, code: number): ReplyVerdict {
  const listed = listedReplies(line);
  if (!listed) {
    const known = UNKNOWN_COMMAND_CODES.includes(code) || ANY_COMMAND_CODES.includes(code);
    return known
      ? { kind: 'refusal', listed: true, source: ['RFC 959 §4.2.1: 500/502 for an unknown command, 421 for any'] }
      : { kind: 'unknown-command', listed: false, replyClass: replyClass(code), source: [] };
  }
  if (listed.preliminary.includes(code)) return { kind: 'preliminary', listed: true, source: listed.sources };
  if (listed.success.includes(code)) return { kind: 'success', listed: true, source: listed.sources };
  if (listed.intermediate.includes(code)) return { kind: 'intermediate', listed: true, source: listed.sources };
  if (listed.error.includes(code) || listed.transferError.includes(code)) return { kind: 'refusal', listed: true, source: listed.sources };
  return { kind: 'unlisted', listed: false, replyClass: replyClass(code), source: listed.sources };
}
