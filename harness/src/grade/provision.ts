/**
 * Makes the accounts a rubric names on a freshly started lab server: by
 * self-registration, through the admin's SITE ADDUSER, or not at all (the
 * files or the start command prepared them). Failures are notes, not errors:
 * the cases that need a missing account then fail or skip with their reason.
 */
import { ControlConnection } from '../wire/control-connection.ts';
import { Transcript } from '../wire/transcript.ts';
import type { Account } from '../target/profile.ts';
import type { Rubric } from './rubric.ts';

const TIMEOUT_MS = 5000;

async function session(host: string, port: number): Promise<ControlConnection> {
  const control = await ControlConnection.connect({ host, port, timeoutMs: TIMEOUT_MS, transcript: new Transcript('provision'), label: 'provision' });
  const greeting = await control.readReply(TIMEOUT_MS);
  if (greeting.kind !== 'reply' || greeting.reply.code !== 220) {
    await control.close();
    throw new Error(`no 220 greeting (${describe(greeting)})`);
  }
  return control;
}

async function login(control: ControlConnection, account: Account): Promise<boolean> {
  const user = await control.command(`USER ${account.name}`, TIMEOUT_MS);
  if (user.kind === 'reply' && user.reply.code === 230) return true;
  const pass = await control.command(`PASS ${account.password}`, TIMEOUT_MS);
  return pass.kind === 'reply' && pass.reply.code === 230;
}

function describe(outcome: Awaited<ReturnType<ControlConnection['command']>>): string {
  return outcome.kind === 'reply' ? outcome.reply.lines.join(' | ') : outcome.kind;
}

export async function provisionAccounts(rubric: Rubric, host: string, port: number): Promise<string[]> {
  const notes: string[] = [];
  const named = (['user', 'user2', 'quota'] as const).filter((role) => rubric.accounts[role]);
  if (rubric.accounts.provision === 'register') {
    for (const role of named) {
      const account = rubric.accounts[role] as Account;
      const control = await session(host, port).catch(() => null);
      if (!control) return [...notes, 'could not connect to register accounts'];
      try {
        const reply = await control.command(`SITE REGISTER ${account.name} ${account.password}`, TIMEOUT_MS);
        if (reply.kind !== 'reply' || reply.reply.code !== 200) notes.push(`SITE REGISTER ${account.name} did not succeed: ${describe(reply)}`);
      } finally {
        await control.close();
      }
    }
  }
  const admin = rubric.accounts.admin;
  const adminRoles = rubric.accounts.provision === 'admin' ? named : (['quota'] as const).filter((role) => rubric.accounts[role]?.limit && admin);
  if (admin && adminRoles.length > 0) {
    const control = await session(host, port).catch(() => null);
    if (!control) return [...notes, 'could not connect as the admin to add accounts'];
    try {
      if (!(await login(control, admin))) return [...notes, `the admin account ${admin.name} cannot log in, so no account could be added`];
      for (const role of adminRoles) {
        const account = rubric.accounts[role] as Account;
        if (rubric.accounts.provision === 'admin') {
          const limit = account.limit ? ` ${account.limit}` : '';
          const reply = await control.command(`SITE ADDUSER ${account.name} ${account.password}${limit}`, TIMEOUT_MS);
          if (reply.kind !== 'reply' || reply.reply.code !== 200) notes.push(`SITE ADDUSER ${account.name} did not succeed: ${describe(reply)}`);
        } else if (account.limit) {
          const reply = await control.command(`SITE SETQUOTA ${account.name} ${account.limit}`, TIMEOUT_MS);
          if (reply.kind !== 'reply' || reply.reply.code !== 200) notes.push(`SITE SETQUOTA ${account.name} did not succeed: ${describe(reply)}`);
        }
      }
    } finally {
      await control.close();
    }
  }
  return notes;
}

/**
 * A remote target was not started by us, so the rubric's accounts exist there only if someone made them.
 * Each account that cannot log in is made where the target lets us: SITE REGISTER (self-registration),
 * else SITE ADDUSER as the rubric's admin. Returns notes for the report; the probe then tells which exist.
 */
export async function ensureAccountsOnTarget(accounts: Partial<Record<'user' | 'user2' | 'quota' | 'admin', Account>>, host: string, port: number): Promise<string[]> {
  const notes: string[] = [];
  const canLogIn = async (account: Account): Promise<boolean> => {
    const control = await session(host, port);
    try {
      return await login(control, account);
    } finally {
      await control.close();
    }
  };
  const register = async (account: Account): Promise<boolean> => {
    const control = await session(host, port);
    try {
      const registered = await control.command(`SITE REGISTER ${account.name} ${account.password}`, TIMEOUT_MS);
      if (registered.kind !== 'reply' || registered.reply.code !== 200) return false;
    } finally {
      await control.close();
    }
    return canLogIn(account);
  };
  for (const role of ['user', 'user2', 'quota'] as const) {
    const account = accounts[role];
    if (!account || (await canLogIn(account))) continue;
    // Self-registration cannot set a quota: a limited account registered without it would fail the quota cases for our want.
    if (!account.limit && (await register(account))) {
      notes.push(`made the rubric's ${role} account ${account.name} on the target with SITE REGISTER`);
      continue;
    }
    const admin = accounts.admin;
    if (!admin) continue;
    const asAdmin = await session(host, port);
    try {
      if (!(await login(asAdmin, admin))) continue;
      const added = await asAdmin.command(`SITE ADDUSER ${account.name} ${account.password}${account.limit ? ` ${account.limit}` : ''}`, TIMEOUT_MS);
      if (added.kind === 'reply' && added.reply.code === 200) notes.push(`made the rubric's ${role} account ${account.name} on the target with SITE ADDUSER`);
    } finally {
      await asAdmin.close();
    }
  }
  return notes;
}
