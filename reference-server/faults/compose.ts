/** Tools that build a faulty server's parts from the correct ones. */
import type { CommandSpec, Handler } from '../src/protocol/command-spec.ts';
import type { ServerParts } from '../src/server-parts.ts';
import type { Session } from '../src/session.ts';
import { FtpReplyError, replyForError } from '../src/errors.ts';

/** `parts` with the handler of each of `verbs` replaced by `wrap(the handler it had)`. */
export function withHandlers(parts: ServerParts, verbs: readonly string[], wrap: (inner: Handler, verb: string) => Handler): ServerParts {
  const commands: Record<string, CommandSpec> = { ...parts.commands };
  for (const verb of verbs) {
    const spec = commands[verb];
    if (!spec?.handler) throw new Error(`no handler for ${verb} to wrap`);
    commands[verb] = { ...spec, handler: wrap(spec.handler, verb) };
  }
  return { ...parts, commands };
}

export interface ReplyParts {
  code: number;
  text: string | readonly string[];
}

/**
 * `inner` with every reply it makes passed through `rewrite` first, the reply
 * to an error it throws too (a 550 for a missing file becomes what `rewrite`
 * makes of it).
 */
export function rewritingReplies(inner: Handler, rewrite: (reply: ReplyParts, session: Session) => ReplyParts): Handler {
  return async (session, argument) => {
    const reply = session.reply;
    // A wrapper outside this one may have put its own reply in place: it is put back after.
    const outer = Object.hasOwn(session, 'reply') ? reply : undefined;
    session.reply = (code, text) => {
      const rewritten = rewrite({ code, text }, session);
      reply.call(session, rewritten.code, rewritten.text);
    };
    try {
      await inner(session, argument);
    } catch (error) {
      const { code, text } = replyForError(error);
      const rewritten = rewrite({ code, text }, session);
      if (rewritten.code === code && rewritten.text === text) throw error;
      throw new FtpReplyError(rewritten.code, String(rewritten.text));
    } finally {
      if (outer) session.reply = outer;
      else delete (session as { reply?: unknown }).reply;
    }
  };
}

/** The text of a one-line reply (the first line of a multi-line one). */
export function firstLine(text: string | readonly string[]): string {
  return typeof text === 'string' ? text : (text[0] ?? '');
}
