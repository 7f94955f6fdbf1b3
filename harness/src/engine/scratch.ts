/**
 * Leaves the target as a case found it: removes each role's scratch folder,
 * depth-first, over a fresh session. Bounded in depth and entries.
 */
import { ControlConnection } from '../wire/control-connection.ts';
import { openDataChannel } from '../wire/data-channel.ts';
import { runTransfer } from '../wire/transfer.ts';
import { Transcript } from '../wire/transcript.ts';
import type { TargetProfile, Account } from '../target/profile.ts';

const MAX_DEPTH = 8;
const MAX_ENTRIES = 5000;

async function names(control: ControlConnection, folder: string, timeoutMs: number, tls: boolean): Promise<string[]> {
  const opened = await openDataChannel(control, 'pasv', { timeoutMs, tls });
  if ('error' in opened) return [];
  const result = await runTransfer(control, opened.channel, `NLST ${folder}`, { timeoutMs });
  if (result.final.kind !== 'reply' || result.final.reply.code >= 300 || !result.data) return [];
  return result.data
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .map((line) => line.slice(line.lastIndexOf('/') + 1))
    // After taking the last segment: some servers (pure-ftpd) list `<folder>/.` and `<folder>/..`,
    // and following `..` would delete the scratch folders of cases still running.
    .filter((name) => name !== '' && name !== '.' && name !== '..')
    .slice(0, MAX_ENTRIES);
}

async function removeTree(control: ControlConnection, folder: string, depth: number, timeoutMs: number, tls: boolean): Promise<void> {
  const removed = await control.command(`RMD ${folder}`, timeoutMs);
  if (removed.kind === 'reply' && removed.reply.code === 250) return;
  if (depth >= MAX_DEPTH) return;
  for (const name of await names(control, folder, timeoutMs, tls)) {
    const path = `${folder}/${name}`;
    const deleted = await control.command(`DELE ${path}`, timeoutMs);
    if (deleted.kind === 'reply' && deleted.reply.code >= 400) await removeTree(control, path, depth + 1, timeoutMs, tls);
  }
  await control.command(`RMD ${folder}`, timeoutMs);
}

/**
 * Removes `folders` as `account` over a session of its own, whose lines stay
 * out of the case's transcript; problems are told through `note`, never thrown.
 */
export async function removeScratch(profile: TargetProfile, account: Account, folders: string[], timeoutMs: number, note: (text: string) => void): Promise<void> {
  const transcript = new Transcript('cleanup');
  let control: ControlConnection | null = null;
  try {
    control = await ControlConnection.connect({ host: profile.host, port: profile.port, timeoutMs, transcript, label: 'cleanup' });
    await control.readReply(timeoutMs);
    if (profile.tls) {
      await control.command('AUTH TLS', timeoutMs);
      await control.upgradeToTls({ rejectUnauthorized: false });
      await control.command('PBSZ 0', timeoutMs);
      await control.command('PROT P', timeoutMs);
    }
    const user = await control.command(`USER ${account.name}`, timeoutMs);
    const pass = user.kind === 'reply' && user.reply.code === 331 ? await control.command(`PASS ${account.password}`, timeoutMs) : user;
    if (pass.kind !== 'reply' || pass.reply.code !== 230) {
      note(`cleanup: could not log in as ${account.name} to remove ${folders.join(', ')}`);
      return;
    }
    for (const folder of folders) await removeTree(control, folder, 0, timeoutMs, profile.tls);
    await control.command('QUIT', timeoutMs);
  } catch (error) {
    note(`cleanup failed: ${(error as Error).message}`);
  } finally {
    await control?.close();
  }
}
