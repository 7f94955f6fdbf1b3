/** Faults of PASV, EPSV, PORT, EPRT and the passive listener (src/handlers/data-setup.ts, src/data/data-connections.ts). */
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { firstLine, rewritingReplies, withHandlers, type ReplyParts } from '../compose.ts';
import type { Handler } from '../../src/protocol/command-spec.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { FtpReplyError } from '../../src/errors.ts';
import { PassiveListener, normalizeAddress } from '../../src/data/data-connections.ts';
import { parseEprtArgument, parsePortArgument } from '../../src/handlers/data-setup.ts';

/** A passive listener that takes its connection from whichever host comes first. */
class ListenerForAnyHost extends PassiveListener {
  protected override admits(): boolean {
    return true;
  }
}

/** A passive listener that waits for its connection forever; unref'd, so one leaked never holds the process. */
class ListenerWithoutTimeout extends PassiveListener {
  protected override expireAfter(): undefined {
    this.server.unref();
    return undefined;
  }
}

/** PASV and EPSV that forget the listener they replace instead of closing it. */
const forgetsOldListener = (inner: Handler): Handler => (session, argument) => {
  if (session.dataTarget?.kind === 'passive') session.dataTarget = null;
  return inner(session, argument);
};

/** PORT and EPRT the naive way: the data connection goes wherever the client says (RFC 2577 §3, the FTP bounce attack). */
const activeToAnywhere = (_inner: Handler, verb: string): Handler => (session, argument) => {
  const target = verb === 'PORT' ? parsePortArgument(argument) : parseEprtArgument(argument);
  if (target === null || typeof target === 'string') throw new FtpReplyError(Reply.argumentSyntaxError, `Bad ${verb} argument.`);
  session.clearDataTarget();
  session.dataTarget = { kind: 'active', host: normalizeAddress(target.host), port: target.port };
  session.reply(Reply.ok, `${verb} command successful.`);
};

/** PORT and EPRT that read the port's two bytes the wrong way round. */
const swapsActivePort = (inner: Handler): Handler => async (session, argument) => {
  await inner(session, argument);
  const target = session.dataTarget;
  if (target?.kind === 'active') target.port = (target.port % 256) * 256 + Math.floor(target.port / 256);
};

/** PASV, PORT, EPRT that never look at EPSV ALL (RFC 2428 §4). */
const ignoresEpsvAll = (inner: Handler): Handler => async (session, argument) => {
  const all = session.epsvAll;
  session.epsvAll = false;
  try {
    await inner(session, argument);
  } finally {
    session.epsvAll = all;
  }
};

/** Arguments of the data setup verbs that are not understood: a naive server answers each with 500. */
const UNPARSABLE: Record<string, (argument: string) => boolean> = {
  PORT: (argument) => parsePortArgument(argument) === null,
  EPRT: (argument) => typeof parseEprtArgument(argument) === 'string',
  EPSV: (argument) => !['', '1', '2', 'ALL'].includes(argument.trim().toUpperCase()),
};

const answers500ToBadArguments = (inner: Handler, verb: string): Handler => {
  const rewritten = rewritingReplies(inner, (reply) => (reply.code === Reply.argumentSyntaxError || reply.code === Reply.protocolNotSupported ? { ...reply, code: Reply.syntaxError } : reply));
  return (session, argument) => (UNPARSABLE[verb]?.(argument) ? rewritten(session, argument) : inner(session, argument));
};

/** The 227 with 0,0,0,0 for the address: the listening socket's wildcard address. */
function wildcardAddress(reply: ReplyParts): ReplyParts {
  if (reply.code !== Reply.enteringPassive) return reply;
  return { code: reply.code, text: firstLine(reply.text).replace(/\(\d+,\d+,\d+,\d+,/, '(0,0,0,0,') };
}

/** The 229 with `|||port|` bare, without the parentheses of RFC 2428 §3. */
function withoutParentheses(reply: ReplyParts): ReplyParts {
  if (reply.code !== Reply.enteringExtendedPassive) return reply;
  return { code: reply.code, text: firstLine(reply.text).replace(/\((\|\|\|\d+\|)\)/, '$1') };
}

export const DATA_SETUP_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  'rfc959-pasv-wrong-address': { parts: (parts) => withHandlers(parts, ['PASV'], (inner) => rewritingReplies(inner, wildcardAddress)) },
  'rfc959-epsv-no-parens': { parts: (parts) => withHandlers(parts, ['EPSV'], (inner) => rewritingReplies(inner, withoutParentheses)) },
  'rfc959-epsv-all-ignored': { parts: (parts) => withHandlers(parts, ['PASV', 'PORT', 'EPRT'], ignoresEpsvAll) },
  'rfc959-data-setup-errors-500': { parts: (parts) => withHandlers(parts, ['PORT', 'EPRT', 'EPSV'], answers500ToBadArguments) },
  'rfc959-active-port-swapped': { parts: (parts) => withHandlers(parts, ['PORT', 'EPRT'], swapsActivePort) },
  'accept-port-any-address': { parts: (parts) => withHandlers(parts, ['PORT', 'EPRT'], activeToAnywhere) },
  'accept-foreign-passive': { parts: (parts) => ({ ...parts, listenPassive: (options) => ListenerForAnyHost.open(options) }) },
  'passive-port-never-closed': {
    parts: (parts) => ({ ...withHandlers(parts, ['PASV', 'EPSV'], forgetsOldListener), listenPassive: (options) => ListenerWithoutTimeout.open(options) }),
  },
};
