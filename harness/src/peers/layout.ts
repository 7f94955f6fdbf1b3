// The fresh temp root every peer runs in, the same for all five servers:
//
//   <root>/public/welcome.txt   anonymous "/" (read-only)
//   <root>/home/<user>/         each named user's jail, owned by that user's uid
//   <root>/etc/                 generated configs and password files (0700)
//   <root>/logs/                server logs, plus stdout.log and stderr.log
//   <root>/run/                 pid and scoreboard files
//   <root>/empty/               vsftpd's secure_chroot_dir (must stay empty, root-owned)
import { chmod, chown, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namedAccounts, PUBLIC_FILE } from './accounts.ts';

export interface Identity {
  uid: number;
  gid: number;
}

export interface PeerLayout {
  root: string;
  publicDir: string;
  etcDir: string;
  logDir: string;
  runDir: string;
  emptyDir: string;
  homeOf(user: string): string;
}

const NOBODY: Identity = { uid: 65534, gid: 65534 };

/**
 * The uid/gid a server should run `name`'s sessions as: the system user of that name
 * if there is one (ftpcheck1/ftpcheck2 and ftp, made by install-peers.sh and the vsftpd
 * package), else nobody. Servers with virtual users just need some non-root id.
 */
export function systemIdentity(name: string, passwdText = readPasswd()): Identity {
  for (const line of passwdText.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 7) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return NOBODY;
}

export function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Makes a new temp root under os.tmpdir() with the layout above. */
export async function createPeerLayout(peerName: string): Promise<PeerLayout> {
  const root = await mkdtemp(join(tmpdir(), `ftp-check-${peerName}-`));
  // Servers that drop to the user's uid before chroot() must be able to walk the path.
  await chmod(root, 0o755);
  const layout: PeerLayout = {
    root,
    publicDir: join(root, 'public'),
    etcDir: join(root, 'etc'),
    logDir: join(root, 'logs'),
    runDir: join(root, 'run'),
    emptyDir: join(root, 'empty'),
    homeOf: (user) => join(root, 'home', user),
  };
  await mkdir(layout.publicDir, { mode: 0o755 });
  await writeFile(join(layout.publicDir, PUBLIC_FILE.name), PUBLIC_FILE.content, { mode: 0o644 });
  await mkdir(layout.etcDir, { mode: 0o700 });
  await mkdir(layout.logDir, { mode: 0o755 });
  await mkdir(layout.runDir, { mode: 0o755 });
  await mkdir(layout.emptyDir, { mode: 0o755 });
  const passwd = readPasswd();
  for (const account of namedAccounts()) {
    const home = layout.homeOf(account.user);
    await mkdir(home, { recursive: true, mode: 0o755 });
    if (isRoot()) {
      const { uid, gid } = systemIdentity(account.user, passwd);
      await chown(home, uid, gid);
    }
  }
  return layout;
}
