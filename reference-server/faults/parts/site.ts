/** Faults of SITE's subcommands and of AVBL (src/handlers/site.ts). */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Reply } from '../../src/protocol/replies.ts';
import { AccountStore } from '../../src/accounts/account-store.ts';
import { accountFailure, parseLimit, storedPathOf, type SiteCommandSpec } from '../../src/handlers/site.ts';
import { quotaView } from '../../src/handlers/account-view.ts';
import type { Handler } from '../../src/protocol/command-spec.ts';
import type { ServerParts } from '../../src/server-parts.ts';
import type { Session } from '../../src/session.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { rewritingReplies, withHandlers } from '../compose.ts';
import { guestIdentity } from './login.ts';

/** The SITE subcommands `subs` with their handlers wrapped. */
function withSubcommands(parts: ServerParts, subs: readonly string[], wrap: (inner: Handler) => Handler): ServerParts {
  const siteCommands: Record<string, SiteCommandSpec> = { ...parts.siteCommands };
  for (const sub of subs) {
    const spec = siteCommands[sub];
    if (!spec?.handler) throw new Error(`no SITE ${sub} to wrap`);
    siteCommands[sub] = { ...spec, handler: wrap(spec.handler) };
  }
  return { ...parts, siteCommands };
}

function subcommands(subs: readonly string[], wrap: (inner: Handler) => Handler): FaultPart {
  return { parts: (parts) => withSubcommands(parts, subs, wrap) };
}

/** An account store that checks no name. */
class AnyNameAccountStore extends AccountStore {
  protected override checkNewName(): void {}
}

/** The SITE table with every subcommand open to anyone logged in: the administrator check forgotten. */
function withoutAdminCheck(parts: ServerParts): ServerParts {
  return { ...parts, siteCommands: Object.fromEntries(Object.entries(parts.siteCommands).map(([sub, spec]) => [sub, { ...spec, admin: false }])) };
}

/** Runs `work` with the session's replies held back; the function returned sends them. */
async function withRepliesHeld(session: Session, work: () => Promise<void> | void): Promise<() => void> {
  const held: [number, string | readonly string[]][] = [];
  // A wrapper outside this one may have put its own reply in place: that one comes back.
  const outer = Object.hasOwn(session, 'reply') ? session.reply : null;
  session.reply = (code, text) => void held.push([code, text]);
  try {
    await work();
  } finally {
    if (outer) session.reply = outer;
    else delete (session as { reply?: unknown }).reply;
  }
  return () => {
    for (const [code, text] of held) session.reply(code, text);
  };
}

/**
 * ADDUSER and REGISTER reading the password one word too far: a new account
 * gets the word after the password (none: an empty one), set before its 200
 * goes out.
 */
const passwordOneWordOff = (inner: Handler): Handler => async (session, argument) => {
  const [name = '', , misread = ''] = argument.split(' ');
  const existed = session.context.accounts.get(name) !== undefined;
  const sendReplies = await withRepliesHeld(session, () => inner(session, argument));
  if (!existed && session.context.accounts.get(name)) await session.context.accounts.setPassword(name, misread);
  sendReplies();
};

export const SITE_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  'admin-commands-for-everyone': { parts: withoutAdminCheck },
  // A SITE subcommand that needs a login runs as a guest when there is none.
  'auth-commands-before-login': {
    parts: (parts) =>
      withHandlers(parts, ['SITE'], (inner) => async (session, argument) => {
        const sub = (argument.split(' ')[0] ?? '').toUpperCase();
        const { siteCommands } = session.context.parts;
        if (!session.identity && Object.hasOwn(siteCommands, sub) && siteCommands[sub]?.login) session.identity = await guestIdentity(session.context);
        return inner(session, argument);
      }),
  },
  // The name cut at its first NUL, as a C string ends there (the session side lets the NUL through).
  'admin-register-nul-truncates': subcommands(['REGISTER'], (inner) => (session, argument) => {
    const [name = '', ...rest] = argument.split(' ');
    return inner(session, [name.split('\0')[0], ...rest].join(' '));
  }),
  // A REGISTER that takes the name as given (an account store that checks no name) and makes its home by
  // joining it onto the storage path.
  'admin-register-accepts-bad-names': {
    parts: (parts) => ({
      ...withSubcommands(parts, ['REGISTER'], (inner) => async (session, argument) => {
        const { context } = session;
        const [name = '', password = '', extra] = argument.split(' ');
        if (!context.settings.registration || password === '' || extra !== undefined) return inner(session, argument);
        await context.accounts.add(name, password, { role: 'user', quotaLimit: context.settings.defaultQuota }).catch(accountFailure);
        await mkdir(join(context.layout.storage, name), { recursive: true });
        session.reply(Reply.ok, `Account ${name} created; its home is /${name}.`);
      }),
      openAccounts: (file) => AnyNameAccountStore.open(file),
    }),
  },
  // A taken name is "registered" again: its password is set to the one given.
  'admin-register-overwrites': subcommands(['REGISTER'], (inner) => async (session, argument) => {
    const { context } = session;
    const [name = '', password = ''] = argument.split(' ');
    if (!context.settings.registration || password === '' || !context.accounts.get(name)) return inner(session, argument);
    await context.accounts.setPassword(name, password);
    session.reply(Reply.ok, `Account ${name} updated.`);
  }),
  'admin-password-misparsed': subcommands(['REGISTER', 'ADDUSER'], passwordOneWordOff),
  'admin-users-names-only': subcommands(['USERS'], (inner) =>
    rewritingReplies(inner, (reply) => {
      if (reply.code !== Reply.ok || typeof reply.text === 'string') return reply;
      const lines = reply.text;
      // Between the count and "End": each account's line cut to its name.
      return { code: reply.code, text: lines.map((line, index) => (index === 0 || index === lines.length - 1 ? line : (line.split(' ')[0] ?? line))) };
    }),
  ),
  // A DELUSER that answers and deletes nothing.
  'admin-deluser-keeps-account': subcommands(['DELUSER'], () => (session, argument) => session.reply(Reply.ok, `Account ${argument.trim()} deleted; its home is kept.`)),
  // A DELUSER that deletes whatever account it is named, its caller's own too.
  'admin-self-delete-allowed': subcommands(['DELUSER'], (inner) => async (session, argument) => {
    const name = argument.trim();
    if (name !== session.identity?.name) return inner(session, argument);
    await session.context.accounts.remove(name).catch(accountFailure);
    session.reply(Reply.ok, `Account ${name} deleted; its home is kept.`);
  }),
  // A SETQUOTA that answers and never applies the limit (as if it were only read at a restart).
  'admin-setquota-ignored': subcommands(['SETQUOTA'], () => (session, argument) => {
    const [name = '', limitText] = argument.trim().split(/\s+/);
    session.reply(Reply.ok, `Quota of ${name} set to ${parseLimit(limitText)}.`);
  }),
  // SITE QUOTA says there is no limit (the upload side of this fault is the transfer handler's).
  'quota-ignored': subcommands(['QUOTA'], (inner) => rewritingReplies(inner, (reply) => (reply.code === Reply.ok && typeof reply.text === 'string' ? { code: reply.code, text: reply.text.replace(/limit=\d+/, 'limit=0') } : reply))),
  // A CPTO that copies the file straight onto the target, with no quota checked or counted.
  'quota-copy-unchecked': subcommands(['CPTO'], (inner) => async (session, argument) => {
    const source = session.copyFrom;
    if (!source) return inner(session, argument);
    session.copyFrom = null;
    const target = await session.resolvePath(argument);
    try {
      const from = session.requireIdentity().jail.pin(source);
      await copyFile(from.real, target.real).finally(() => from.close());
    } finally {
      target.close();
    }
    session.reply(Reply.fileActionOk, 'Copy done.');
  }),
  // An AVBL that answers the whole limit, not what is left of it.
  'avbl-reports-limit': {
    parts: (parts) =>
      withHandlers(parts, ['AVBL'], () => async (session, argument) => {
        const view = await quotaView(session, await storedPathOf(session, argument));
        session.reply(Reply.fileStatus, String(view.limit));
      }),
  },
};
