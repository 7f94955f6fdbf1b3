/** AUTH TLS, PBSZ, PROT: explicit FTPS (RFC 4217 §4-§9). */
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import type { Session } from '../session.ts';

export function handleAuth(session: Session, argument: string): void {
  const mechanism = argument.trim().toUpperCase();
  if (mechanism !== 'TLS' && mechanism !== 'SSL' && mechanism !== 'TLS-C') {
    throw new FtpReplyError(Reply.parameterNotImplemented, `AUTH ${mechanism.slice(0, 16)} not supported; use AUTH TLS.`);
  }
  if (session.tls.control) throw new FtpReplyError(Reply.badSequence, 'TLS is already active.');
  const tls = session.context.tls;
  if (!tls) throw new FtpReplyError(Reply.notImplemented, 'TLS is not configured.');
  session.reply(Reply.securityExchangeDone, `AUTH ${mechanism} ok; start the TLS handshake.`);
  session.upgradeToTls(tls.secureContext());
}

export function handlePbsz(session: Session, argument: string): void {
  if (!session.tls.control) throw new FtpReplyError(Reply.badSequence, 'PBSZ needs AUTH TLS first.');
  if (!/^\d+$/.test(argument.trim())) throw new FtpReplyError(Reply.argumentSyntaxError, 'PBSZ needs a number.');
  session.tls.pbszDone = true;
  session.reply(Reply.ok, 'PBSZ=0');
}

export function handleProt(session: Session, argument: string): void {
  const level = argument.trim().toUpperCase();
  if (!session.tls.control || !session.tls.pbszDone) throw new FtpReplyError(Reply.badSequence, 'PROT needs AUTH TLS and PBSZ first.');
  if (level === 'P') {
    session.tls.protectData = true;
    session.reply(Reply.ok, 'Protection level set to Private.');
  } else if (level === 'C') {
    if (session.context.settings.requireTls) throw new FtpReplyError(Reply.requestDeniedPolicy, 'This server requires PROT P.');
    session.tls.protectData = false;
    session.reply(Reply.ok, 'Protection level set to Clear.');
  } else if (level === 'S' || level === 'E') {
    throw new FtpReplyError(Reply.protectionLevelNotSupported, `PROT ${level} not supported.`);
  } else {
    throw new FtpReplyError(Reply.parameterNotImplemented, 'Unknown protection level.');
  }
}
