/** SYST, FEAT, OPTS, HELP, STAT, NOOP, ALLO, TYPE, MODE, STRU: about the server and the session. */
import { lstat } from 'node:fs/promises';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import { MLST_FACTS } from '../vfs/listing.ts';
import { listingLines } from './listing.ts';
import { accountSummary } from './account-view.ts';
import { HASH_ALGORITHMS, HASH_FEAT, hashFeatLine } from './hash.ts';
import type { Session } from '../session.ts';

export function handleSyst(session: Session): void {
  session.reply(Reply.systemType, 'UNIX Type: L8');
}

export function handleNoop(session: Session): void {
  session.reply(Reply.ok, 'NOOP ok.');
}

/** RFC 2389 §3: one feature per line, each starting with a space, built from the command table. */
export function handleFeat(session: Session): void {
  const lines = Object.values(session.commands).flatMap((spec) => (spec.handler ? (spec.feat ?? []) : []));
  // The HASH line marks the algorithm this session selected with OPTS HASH.
  const features = [...new Set(lines)].map((line) => (line === HASH_FEAT ? hashFeatLine(session.hashAlgorithm) : line)).sort();
  session.reply(Reply.systemStatus, ['Features:', ...features.map((line) => line), 'End']);
}

export function handleOpts(session: Session, argument: string): void {
  const [option = '', ...rest] = argument.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (option.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      if (!/^(ON|OFF|)$/i.test(value)) throw new FtpReplyError(Reply.argumentSyntaxError, 'OPTS UTF8 takes ON or OFF.');
      session.utf8 = value.toUpperCase() !== 'OFF';
      session.reply(Reply.ok, `UTF8 mode ${session.utf8 ? 'enabled' : 'disabled'}.`);
      return;
    case 'MLST': {
      const wanted = value.split(';').filter(Boolean).map((fact) => fact.toLowerCase());
      const known = wanted.filter((fact) => (MLST_FACTS as readonly string[]).includes(fact));
      session.reply(Reply.ok, `MLST OPTS ${known.map((fact) => `${fact};`).join('')}`);
      return;
    }
    case 'HASH': {
      if (value === '') {
        session.reply(Reply.ok, session.hashAlgorithm);
        return;
      }
      const algorithm = HASH_ALGORITHMS.find((name) => name === value.toUpperCase());
      if (!algorithm) throw new FtpReplyError(Reply.argumentSyntaxError, `Unknown algorithm; choose one of ${HASH_ALGORITHMS.join(', ')}.`);
      session.hashAlgorithm = algorithm;
      session.reply(Reply.ok, algorithm);
      return;
    }
    default:
      throw new FtpReplyError(Reply.argumentSyntaxError, `Option ${option} not understood.`);
  }
}

/** HELP lists every verb the table knows; HELP <verb> gives its syntax (RFC 959 §4.1.3). */
export function handleHelp(session: Session, argument: string): void {
  const verb = argument.trim().toUpperCase();
  if (verb !== '') {
    const spec = session.commands[verb];
    if (!spec) throw new FtpReplyError(Reply.argumentSyntaxError, `Unknown command ${verb.slice(0, 32)}.`);
    session.reply(Reply.help, `Syntax: ${spec.help}${spec.handler ? '' : ' (not implemented)'}`);
    return;
  }
  const verbs = Object.keys(session.commands).sort();
  const rows: string[] = [];
  for (let i = 0; i < verbs.length; i += 8) rows.push(verbs.slice(i, i + 8).map((name) => name.padEnd(5)).join(' '));
  session.reply(Reply.help, ['The following commands are recognized:', ...rows, 'Help OK.']);
}

/** STAT: the session's status (211), or a path's listing over the control connection (213/212, RFC 959 §4.1.3). */
export async function handleStat(session: Session, argument: string): Promise<void> {
  if (argument.trim() === '') {
    const lines = ['ftp-ref status:', `Connected from ${session.remoteAddress}`];
    if (session.identity) lines.push(...(await accountSummary(session)));
    else lines.push('Not logged in');
    lines.push(`TYPE: ${session.transferType === 'A' ? 'ASCII' : 'BINARY'}, MODE: Stream, STRU: File`);
    lines.push(`TLS: control ${session.tls.control ? 'protected' : 'clear'}, data ${session.tls.protectData ? 'private' : 'clear'}`);
    lines.push('End of status');
    session.reply(Reply.systemStatus, lines);
    return;
  }
  if (!session.loggedIn) throw new FtpReplyError(Reply.notLoggedIn, 'Please login with USER and PASS.');
  const path = await session.resolvePath(argument);
  const info = await lstat(path.real).finally(() => path.close());
  const lines = await listingLines(session, argument, 'long');
  const code = info.isDirectory() ? Reply.directoryStatus : Reply.fileStatus;
  session.reply(code, [`Status of ${argument}:`, ...lines, 'End of status']);
}

export function handleAllo(session: Session): void {
  session.reply(Reply.superfluous, 'ALLO not needed on this server.');
}

/** TYPE A (with optional N) and I; L 8 is I; E and other formats are 504 (RFC 959 §4.1.2, RFC 1123 §4.1.2.2). */
export function handleType(session: Session, argument: string): void {
  const words = argument.trim().toUpperCase().split(/\s+/);
  const [kind, format] = words;
  if (kind === 'A' && (format === undefined || format === 'N')) {
    session.transferType = 'A';
    session.reply(Reply.ok, 'Switching to ASCII mode.');
  } else if (kind === 'I' && format === undefined) {
    session.transferType = 'I';
    session.reply(Reply.ok, 'Switching to Binary mode.');
  } else if (kind === 'L' && format === '8') {
    session.transferType = 'I';
    session.reply(Reply.ok, 'Switching to Binary mode (L 8).');
  } else if (kind === 'E' || kind === 'A' || kind === 'L') {
    session.reply(Reply.parameterNotImplemented, `TYPE ${argument.trim()} not implemented.`);
  } else {
    session.reply(Reply.argumentSyntaxError, `Unknown TYPE ${argument.trim().slice(0, 16)}.`);
  }
}

export function handleMode(session: Session, argument: string): void {
  const mode = argument.trim().toUpperCase();
  if (mode === 'S') session.reply(Reply.ok, 'Mode set to S.');
  else if (mode === 'B' || mode === 'C') session.reply(Reply.parameterNotImplemented, `MODE ${mode} not implemented.`);
  else session.reply(Reply.argumentSyntaxError, 'Unknown MODE.');
}

export function handleStru(session: Session, argument: string): void {
  const structure = argument.trim().toUpperCase();
  if (structure === 'F') session.reply(Reply.ok, 'Structure set to F.');
  else if (structure === 'R' || structure === 'P') session.reply(Reply.parameterNotImplemented, `STRU ${structure} not implemented.`);
  else session.reply(Reply.argumentSyntaxError, 'Unknown STRU.');
}
