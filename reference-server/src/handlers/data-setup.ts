/**
 * PASV, EPSV, PORT, EPRT: preparing the data connection (RFC 959 §4.1.2,
 * RFC 2428). Active connections go only to the client's own address and never
 * to a port below 1024 (RFC 2577 §3, the FTP bounce attack).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import { parsePortRange } from '../config.ts';
import { normalizeAddress, type PassiveListener } from '../data/data-connections.ts';
import type { Session } from '../session.ts';

async function openPassive(session: Session): Promise<PassiveListener> {
  refuseClearData(session);
  session.clearDataTarget();
  const { settings, logs, parts } = session.context;
  const listener = await parts.listenPassive({
    localAddress: session.localAddress,
    allowedRemote: session.remoteAddress,
    range: parsePortRange(settings.pasvPorts),
    timeoutMs: settings.dataTimeout * 1000,
    onForeignConnection: (address) => logs.connections.warn({ session: session.id, from: address }, 'refused a data connection from a foreign address'),
  });
  session.dataTarget = { kind: 'passive', listener };
  return listener;
}

function refuseAfterEpsvAll(session: Session): void {
  if (session.epsvAll) throw new FtpReplyError(Reply.badSequence, 'Only EPSV is allowed after EPSV ALL.');
}

/** RFC 4217 §9: a server that requires TLS refuses clear data connections. */
function refuseClearData(session: Session): void {
  if (session.context.settings.requireTls && !session.tls.protectData) throw new FtpReplyError(Reply.requestDeniedPolicy, 'Data connections must be protected: use PROT P.');
}

export async function handlePasv(session: Session): Promise<void> {
  refuseAfterEpsvAll(session);
  const announced = session.context.settings.pasvAddress || session.localAddress;
  if (!isIPv4(announced)) throw new FtpReplyError(Reply.cannotOpenData, 'PASV needs IPv4; use EPSV.');
  const listener = await openPassive(session);
  const numbers = [...announced.split('.'), Math.floor(listener.port / 256), listener.port % 256].join(',');
  session.reply(Reply.enteringPassive, `Entering Passive Mode (${numbers}).`);
}

export async function handleEpsv(session: Session, argument: string): Promise<void> {
  const option = argument.trim().toUpperCase();
  if (option === 'ALL') {
    session.epsvAll = true;
    session.reply(Reply.ok, 'EPSV ALL ok.');
    return;
  }
  if (option !== '' && option !== '1' && option !== '2') throw new FtpReplyError(Reply.protocolNotSupported, 'Network protocol not supported, use (1,2)');
  const listener = await openPassive(session);
  session.reply(Reply.enteringExtendedPassive, `Entering Extended Passive Mode (|||${listener.port}|)`);
}

/** Checks an active-mode target: the client's own address, an unprivileged port. */
function acceptActiveTarget(session: Session, host: string, port: number): void {
  refuseClearData(session);
  if (normalizeAddress(host) !== session.remoteAddress) {
    session.context.logs.connections.warn({ session: session.id, host, port }, 'refused active connection to a foreign address');
    throw new FtpReplyError(Reply.argumentSyntaxError, 'Rejected: data connections go only to your own address.');
  }
  if (port < 1024) throw new FtpReplyError(Reply.argumentSyntaxError, 'Rejected: privileged data port.');
  session.clearDataTarget();
  session.dataTarget = { kind: 'active', host: normalizeAddress(host), port };
}

/** Pure: `h1,h2,h3,h4,p1,p2` to host and port, or null. */
export function parsePortArgument(argument: string): { host: string; port: number } | null {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || parts.some((part) => !/^\d{1,3}$/.test(part.trim()))) return null;
  const numbers = parts.map((part) => Number(part));
  if (numbers.some((n) => n > 255)) return null;
  return { host: numbers.slice(0, 4).join('.'), port: (numbers[4] as number) * 256 + (numbers[5] as number) };
}

/** Pure: RFC 2428 §2 `<d><af><d><address><d><port><d>` to its parts, or a reason. */
export function parseEprtArgument(argument: string): { host: string; port: number } | 'syntax' | 'family' {
  const text = argument.trim();
  const delimiter = text[0];
  if (!delimiter || /[0-9a-zA-Z.:]/.test(delimiter)) return 'syntax';
  const parts = text.split(delimiter);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return 'syntax';
  const [, family, host = '', portText = ''] = parts;
  if (family !== '1' && family !== '2') return 'family';
  if (family === '1' ? !isIPv4(host) : !isIPv6(host)) return 'syntax';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return 'syntax';
  return { host, port: Number(portText) };
}

export function handlePort(session: Session, argument: string): void {
  refuseAfterEpsvAll(session);
  const target = parsePortArgument(argument);
  if (!target) throw new FtpReplyError(Reply.argumentSyntaxError, 'Bad PORT argument; expected h1,h2,h3,h4,p1,p2.');
  acceptActiveTarget(session, target.host, target.port);
  session.reply(Reply.ok, 'PORT command successful. Consider using PASV.');
}

export function handleEprt(session: Session, argument: string): void {
  refuseAfterEpsvAll(session);
  const target = parseEprtArgument(argument);
  if (target === 'family') throw new FtpReplyError(Reply.protocolNotSupported, 'Network protocol not supported, use (1,2)');
  if (target === 'syntax') throw new FtpReplyError(Reply.argumentSyntaxError, 'Bad EPRT argument; expected |af|address|port|.');
  acceptActiveTarget(session, target.host, target.port);
  session.reply(Reply.ok, 'EPRT command successful.');
}
