/** Faults of LIST, NLST, MLSD, MLST (src/handlers/listing.ts). */
import type { Duplex } from 'node:stream';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { rewritingReplies, withHandlers, type ReplyParts } from '../compose.ts';
import type { Handler } from '../../src/protocol/command-spec.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { FtpReplyError } from '../../src/errors.ts';
import { listingLines, sendListing, stripListOptions } from '../../src/handlers/listing.ts';

/** `data` with every write passed through `rewrite` first (a listing goes out in one write). */
function rewritingWrites(data: Duplex, rewrite: (chunk: Buffer) => Buffer): Duplex {
  const write = data.write.bind(data) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  data.write = ((chunk: Buffer | string, ...rest: unknown[]) => write(rewrite(Buffer.from(chunk)), ...rest)) as Duplex['write'];
  return data;
}

/** `inner` with what it sends over the data connection passed through `rewrite` first. */
function rewritingData(inner: Handler, rewrite: (chunk: Buffer) => Buffer): Handler {
  return async (session, argument) => {
    const runTransfer = session.runTransfer;
    session.runTransfer = (announce, work) => runTransfer.call(session, announce, (data, signal) => work(rewritingWrites(data, rewrite), signal));
    try {
      await inner(session, argument);
    } finally {
      session.runTransfer = runTransfer;
    }
  };
}

/** An RFC 3659 §7 entry `type=file;size=3;modify=...; name` with the type fact only. */
function typeFactOnly(line: string): string {
  const space = line.indexOf(' ');
  if (space < 0) return line;
  const type = line.slice(0, space).split(';').find((fact) => fact.startsWith('type='));
  return type ? `${type}; ${line.slice(space + 1)}` : line;
}

function linesWithTypeOnly(chunk: Buffer): Buffer {
  return Buffer.from(chunk.toString('utf8').split('\r\n').map(typeFactOnly).join('\r\n'), 'utf8');
}

/** MLST's 250: `Listing <path>`, the entry, `End`. */
function mlstWithTypeOnly(reply: ReplyParts): ReplyParts {
  if (reply.code !== Reply.fileActionOk || typeof reply.text === 'string') return reply;
  return { code: reply.code, text: reply.text.map((line, i) => (i === 1 ? typeFactOnly(line) : line)) };
}

/** The listing written in Latin-1 instead of UTF-8: a UTF-8 client reads every non-ASCII name mangled. */
function asLatin1(chunk: Buffer): Buffer {
  return Buffer.from(chunk.toString('utf8'), 'latin1');
}

export const LISTING_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  // An empty path is taken to mean the root.
  'rfc959-list-ignores-cwd': {
    parts: (parts) => withHandlers(parts, ['LIST', 'NLST'], (inner) => (session, argument) => inner(session, stripListOptions(argument) === '' ? '/' : argument)),
  },
  'rfc959-mlsx-facts-missing': {
    parts: (parts) => withHandlers(withHandlers(parts, ['MLSD'], (inner) => rewritingData(inner, linesWithTypeOnly)), ['MLST'], (inner) => rewritingReplies(inner, mlstWithTypeOnly)),
  },
  // A file given to MLSD is listed as a folder holding just that file, instead of the 501 of RFC 3659 §7.
  'rfc959-mlsd-file-allowed': {
    parts: (parts) =>
      withHandlers(parts, ['MLSD'], (inner) => async (session, argument) => {
        try {
          await inner(session, argument);
        } catch (error) {
          if (!(error instanceof FtpReplyError) || error.code !== Reply.argumentSyntaxError) throw error;
          await sendListing(session, await listingLines(session, argument, 'facts'), 'machine listing');
        }
      }),
  },
  'rfc959-listing-latin1': { parts: (parts) => withHandlers(parts, ['LIST', 'NLST', 'MLSD'], (inner) => rewritingData(inner, asLatin1)) },
};
