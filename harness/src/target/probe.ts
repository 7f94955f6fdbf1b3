/**
 * Before a run: reach the target (an unreachable one is a target error, exit
 * 2), read FEAT and SITE HELP, and make temporary accounts for missing roles
 * when the target lets an admin add users (removed again afterwards).
 */
import { randomBytes } from 'node:crypto';
import { ControlConnection, ConnectError } from '../wire/control-connection.ts';
import { Transcript } from '../wire/transcript.ts';
import type { Role } from '../spec/types.ts';
import { claimsFileManagerProtocol, FILE_MANAGER, parseFeat, parseSiteHelp } from './capabilities.ts';
import { TargetError, type Account, type TargetProfile } from './profile.ts';

/** How long one reply may take when the caller names no bound (its --timeout). */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
const TEMP_QUOTA = 1024 * 1024;

async function open(profile: TargetProfile, transcript: Transcript, timeoutMs: number): Promise<ControlConnection> {
  let control: ControlConnection;
  try {
    control = await ControlConnection.connect({ host: profile.host, port: profile.port, timeoutMs, transcript, label: 'probe' });
  } catch (error) {
    const reason = error instanceof ConnectError ? error.message : String(error);
    throw new TargetError(`cannot reach the target ${profile.host}:${profile.port}: ${reason}`);
  }
  const greeting = await control.readReply(timeoutMs);
  if (greeting.kind !== 'reply' || greeting.reply.code !== 220) {
    await control.close();
    const got = greeting.kind === 'reply' ? `"${greeting.reply.lines[0]}"` : greeting.kind === 'closed' ? `a closed connection (${greeting.reason})` : `no greeting within ${timeoutMs} ms`;
    throw new TargetError(`the target ${profile.host}:${profile.port} is not an FTP server ready for us: expected a 220 greeting, got ${got}`);
  }
  if (profile.tls) {
    const auth = await control.command('AUTH TLS', timeoutMs);
    if (auth.kind !== 'reply' || auth.reply.code !== 234) throw new TargetError('--tls was asked but the target refuses AUTH TLS');
    await control.upgradeToTls({ rejectUnauthorized: false, timeoutMs }).catch((error: unknown) => {
      throw new TargetError(`--tls was asked but the TLS handshake with the target failed: ${(error as Error).message}`);
    });
    await control.command('PBSZ 0', timeoutMs);
    await control.command('PROT P', timeoutMs);
  }
  return control;
}

async function login(control: ControlConnection, account: Account, timeoutMs: number): Promise<boolean> {
  const user = await control.command(`USER ${account.name}`, timeoutMs);
  if (user.kind === 'reply' && user.reply.code === 230) return true;
  if (user.kind !== 'reply' || user.reply.code !== 331) return false;
  const pass = await control.command(`PASS ${account.password}`, timeoutMs);
  return pass.kind === 'reply' && pass.reply.code === 230;
}

/**
 * SYST (RFC 959 §4.1.3): `syst:unix` when the system type is UNIX, whose local
 * text form ends lines with LF (what TYPE A converts to and from). False when
 * SYST wants a login first, so it is asked again after one.
 */
async function askSyst(control: ControlConnection, capabilities: Set<string>, timeoutMs: number): Promise<boolean> {
  const syst = await control.command('SYST', timeoutMs);
  if (syst.kind !== 'reply' || syst.reply.code === 530) return false;
  if (syst.reply.code === 215 && /^UNIX\b/i.test(syst.reply.message.trim())) capabilities.add('syst:unix');
  return true;
}

/** FEAT's features into `capabilities`; true when FEAT answered 211 (a list) or the server has none (500/502). */
async function readFeat(control: ControlConnection, capabilities: Set<string>, timeoutMs: number): Promise<boolean> {
  const feat = await control.command('FEAT', timeoutMs);
  if (feat.kind !== 'reply') return false;
  for (const name of parseFeat(feat.reply)) capabilities.add(name);
  return feat.reply.code === 211 || feat.reply.code === 500 || feat.reply.code === 502;
}

export interface Probed {
  capabilities: Set<string>;
  /** Accounts made for this run; remove with `removeTemporaryAccounts`. */
  temporary: Role[];
  notes: string[];
}

/** Reaches the target, checks every account of the profile, detects capabilities, fills missing roles. */
export async function probeTarget(profile: TargetProfile, options: { timeoutMs?: number } = {}): Promise<Probed> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const transcript = new Transcript('probe');
  const notes: string[] = [];
  const capabilities = new Set<string>();
  let systAsked = false;
  // RFC 2389 lets a server answer FEAT before login or only after it; 500/502 means it has no FEAT.
  let featRead = false;
  const control = await open(profile, transcript, timeoutMs);
  try {
    featRead = await readFeat(control, capabilities, timeoutMs);
    systAsked = await askSyst(control, capabilities, timeoutMs);
  } finally {
    await control.close();
  }
  for (const role of Object.keys(profile.accounts) as Role[]) {
    const account = profile.accounts[role] as Account;
    const session = await open(profile, transcript, timeoutMs);
    try {
      if (await login(session, account, timeoutMs)) {
        capabilities.add(`role:${role}`);
        if (!systAsked) systAsked = await askSyst(session, capabilities, timeoutMs);
        if (!featRead) featRead = await readFeat(session, capabilities, timeoutMs);
        if (role !== 'anonymous') {
          const help = await session.command('SITE HELP', timeoutMs);
          if (help.kind === 'reply') for (const name of parseSiteHelp(help.reply)) capabilities.add(name);
        }
      } else {
        notes.push(`cannot log in as ${role} (${account.name}); cases that need role:${role} will be skipped`);
        delete profile.accounts[role];
      }
    } finally {
      await session.close();
    }
  }
  const temporary: Role[] = [];
  const admin = profile.accounts.admin;
  if (admin && capabilities.has('SITE ADDUSER')) {
    for (const role of ['user', 'user2', 'quota'] as const) {
      if (profile.accounts[role]) continue;
      const account: Account = { name: `ftpc_${role}_${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex'), ...(role === 'quota' ? { limit: TEMP_QUOTA } : {}) };
      const session = await open(profile, transcript, timeoutMs);
      try {
        if (!(await login(session, admin, timeoutMs))) break;
        const line = `SITE ADDUSER ${account.name} ${account.password}${role === 'quota' ? ` ${TEMP_QUOTA}` : ''}`;
        const added = await session.command(line, timeoutMs);
        if (added.kind === 'reply' && added.reply.code === 200) {
          profile.accounts[role] = account;
          capabilities.add(`role:${role}`);
          temporary.push(role);
          notes.push(`made a temporary ${role} account ${account.name} through SITE ADDUSER`);
        }
      } finally {
        await session.close();
      }
    }
  }
  if (capabilities.has('AUTH TLS')) capabilities.add('tls');
  if (claimsFileManagerProtocol(capabilities)) capabilities.add(FILE_MANAGER);
  if (profile.limits.maxConnections) capabilities.add('limit:connections');
  if (profile.limits.maxPerUser) capabilities.add('limit:per-user');
  if (profile.limits.idleTimeoutSeconds) capabilities.add('limit:idle');
  if (profile.limits.dataTimeoutSeconds) capabilities.add('limit:data-timeout');
  if (profile.anonymousFile) capabilities.add('anonymous-file');
  for (const name of profile.capabilities.add) capabilities.add(name);
  for (const name of profile.capabilities.remove) capabilities.delete(name);
  return { capabilities, temporary, notes };
}

export async function removeTemporaryAccounts(profile: TargetProfile, roles: Role[], options: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const admin = profile.accounts.admin;
  if (!admin || roles.length === 0) return;
  const transcript = new Transcript('teardown');
  const control = await open(profile, transcript, timeoutMs).catch(() => null);
  if (!control) return;
  try {
    if (!(await login(control, admin, timeoutMs))) return;
    for (const role of roles) {
      const account = profile.accounts[role];
      if (account) await control.command(`SITE DELUSER ${account.name}`, timeoutMs);
    }
  } finally {
    await control.close();
  }
}
