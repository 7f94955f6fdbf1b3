// How each peer is checked for, configured and launched. The config text itself
// lives in fixtures/peers/<name>/; this file fills it in and builds the command line.
// Every command runs the server in the FOREGROUND (no daemonizing), on 127.0.0.1.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { namedAccounts, type PeerAccount } from './accounts.ts';
import { readPasswd, systemIdentity, type PeerLayout } from './layout.ts';
import { fillTemplate, parseFlagsFile } from './template.ts';

export const PEER_NAMES = ['vsftpd', 'pure-ftpd', 'proftpd', 'pyftpdlib', 'ftp-srv', 'ftpd-ssl', 'nodeftpd'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'fixtures', 'peers');
const PEERS_DIR = join(REPO_ROOT, '.peers');
const INSTALL_HINT = 'run `bash scripts/install-peers.sh` as root';

/** Debian's python: it has python3-pyftpdlib, the pyenv python3 on PATH does not. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
const VSFTPD = '/usr/sbin/vsftpd';
const PURE_FTPD = join(PEERS_DIR, 'pure-ftpd/usr/sbin/pure-ftpd');
const PURE_PW = join(PEERS_DIR, 'pure-ftpd/usr/bin/pure-pw');
const PROFTPD = join(PEERS_DIR, 'proftpd/usr/sbin/proftpd');
const IN_FTPD = join(PEERS_DIR, 'ftpd-ssl/usr/sbin/in.ftpd');
/** Statically linked, so it runs as /bin/ls inside ftpd-ssl's chroot jails without any library. */
const BUSYBOX = join(PEERS_DIR, 'busybox-static/bin/busybox');
const PAM_FTP_MODULE = '/lib/x86_64-linux-gnu/security/pam_ftp.so';
const UNSHARE = '/usr/bin/unshare';
const OPENSSL = '/usr/bin/openssl';
const VSFTPD_PAM_SERVICE = '/etc/pam.d/ftp-check-vsftpd';
const PYFTPDLIB_MODULE = '/usr/lib/python3/dist-packages/pyftpdlib/__init__.py';

export interface PeerSettings {
  host: string;
  port: number;
  pasvMin: number;
  pasvMax: number;
  layout: PeerLayout;
}

export interface LaunchPlan {
  file: string;
  args: string[];
  cwd?: string;
}

interface PeerRecipe {
  /** Why the peer cannot run here, or [] if it can. */
  missing(): string[];
  /** Writes the peer's config files into the layout and says how to start it. */
  prepare(settings: PeerSettings): Promise<LaunchPlan>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function missingFiles(paths: string[]): string[] {
  return paths.filter((path) => !existsSync(path)).map((path) => `${path} not found`);
}

function needsRoot(): string[] {
  return isRoot() ? [] : ['must run as root (it switches to the session user and chroot()s)'];
}

function missingSystemUsers(names: string[]): string[] {
  const passwd = readPasswd();
  return names.filter((name) => !passwd.split('\n').some((line) => line.startsWith(`${name}:`))).map((name) => `system user ${name} missing`);
}

/** The named accounts the settings' layout serves: each with its jail. */
function accountHomes(layout: PeerLayout): (PeerAccount & { home: string })[] {
  return namedAccounts().map((account) => ({ ...account, home: layout.homeOf(account.user) }));
}

function templateValues({ host, port, pasvMin, pasvMax, layout }: PeerSettings): Record<string, string | number> {
  return {
    HOST: host,
    PORT: port,
    PASV_MIN: pasvMin,
    PASV_MAX: pasvMax,
    ROOT: layout.root,
    ETC_DIR: layout.etcDir,
    LOG_DIR: layout.logDir,
    RUN_DIR: layout.runDir,
  };
}

async function writeFilledTemplate(fixture: string, destination: string, settings: PeerSettings): Promise<string> {
  const text = fillTemplate(readFileSync(join(FIXTURES, fixture), 'utf8'), templateValues(settings));
  await writeFile(destination, text, { mode: 0o600 });
  return destination;
}

/** A SHA-512 crypt(3) hash, which both pure-ftpd and proftpd accept; password via stdin, not argv. */
async function cryptSha512(password: string): Promise<string> {
  const { stdout } = await execa(OPENSSL, ['passwd', '-6', '-stdin'], { input: password, timeout: 5000 });
  return stdout.trim();
}

/** The JSON config read by the pyftpdlib and ftp-srv launchers (passwords stay off argv). */
async function writeLauncherConfig(settings: PeerSettings): Promise<string> {
  const path = join(settings.layout.etcDir, 'peer.json');
  const config = {
    host: settings.host,
    port: settings.port,
    pasvMin: settings.pasvMin,
    pasvMax: settings.pasvMax,
    anonymousRoot: settings.layout.publicDir,
    users: accountHomes(settings.layout).map(({ user, password, home }) => ({ user, password, home })),
  };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}

const vsftpd: PeerRecipe = {
  missing: () => [
    ...needsRoot(),
    ...missingFiles([VSFTPD, VSFTPD_PAM_SERVICE]),
    ...missingSystemUsers(['ftp', ...namedAccounts().map((account) => account.user)]),
  ],
  async prepare(settings) {
    const config = await writeFilledTemplate('vsftpd/vsftpd.conf.template', join(settings.layout.etcDir, 'vsftpd.conf'), settings);
    // vsftpd reports startup errors ("500 OOPS: could not bind ...") on fd 0, its
    // control-connection descriptor, not on stderr: open fd 0 read-write on a log file.
    const startupLog = join(settings.layout.logDir, 'vsftpd-startup.log');
    return { file: '/bin/sh', args: ['-c', 'exec "$0" "$1" 0<>"$2"', VSFTPD, config, startupLog] };
  },
};

const pureFtpd: PeerRecipe = {
  missing: () => [...needsRoot(), ...missingFiles([PURE_FTPD, PURE_PW, UNSHARE, OPENSSL])],
  async prepare(settings) {
    const { layout } = settings;
    const passwdText = readPasswd();
    // Virtual users: a pure-pw passwd file (user:hash:uid:gid::home/./ + 12 empty fields),
    // compiled to PureDB. pure-pw's own argon2 hashing takes seconds, crypt does not.
    const lines: string[] = [];
    for (const { user, password, home } of accountHomes(layout)) {
      const { uid, gid } = systemIdentity(user, passwdText);
      lines.push(`${user}:${await cryptSha512(password)}:${uid}:${gid}::${home}/./${':'.repeat(12)}`);
    }
    const pureDbText = join(layout.etcDir, 'pureftpd.passwd');
    await writeFile(pureDbText, `${lines.join('\n')}\n`, { mode: 0o600 });
    await execa(PURE_PW, ['mkdb', join(layout.etcDir, 'pureftpd.pdb'), '-f', pureDbText], { timeout: 10000 });

    // Anonymous logins get the home of the system user "ftp": a passwd copy whose
    // "ftp" lives in the public folder is bind-mounted over /etc/passwd, in a mount
    // namespace private to this server.
    const ftp = systemIdentity('ftp', passwdText);
    const passwdCopy = passwdText
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('ftp:'))
      .concat(`ftp:x:${ftp.uid}:${ftp.gid}:ftp-check anonymous:${layout.publicDir}:/usr/sbin/nologin`);
    const namespacePasswd = join(layout.etcDir, 'passwd');
    await writeFile(namespacePasswd, `${passwdCopy.join('\n')}\n`, { mode: 0o644 });

    const flags = parseFlagsFile(readFileSync(join(FIXTURES, 'pure-ftpd/pure-ftpd.flags'), 'utf8')).map((flag) =>
      fillTemplate(flag, templateValues(settings)),
    );
    const script = 'mount --bind "$0" /etc/passwd && exec "$@"';
    return { file: UNSHARE, args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script, namespacePasswd, PURE_FTPD, ...flags] };
  },
};

const proftpd: PeerRecipe = {
  missing: () => [...needsRoot(), ...missingFiles([PROFTPD, OPENSSL])],
  async prepare(settings) {
    const { layout } = settings;
    const passwdText = readPasswd();
    // mod_auth_file only: every login, the anonymous "ftp" included, is looked up here.
    const users: string[] = [];
    const groups = new Map<number, string>();
    for (const { user, password, home } of accountHomes(layout)) {
      const { uid, gid } = systemIdentity(user, passwdText);
      users.push(`${user}:${await cryptSha512(password)}:${uid}:${gid}::${home}:/usr/sbin/nologin`);
      groups.set(gid, 'ftpcheck');
    }
    const ftp = systemIdentity('ftp', passwdText);
    users.push(`ftp:*:${ftp.uid}:${ftp.gid}::${layout.publicDir}:/usr/sbin/nologin`);
    groups.set(ftp.gid, 'ftp');
    await writeFile(join(layout.etcDir, 'ftpd.passwd'), `${users.join('\n')}\n`, { mode: 0o600 });
    const groupLines = [...groups].map(([gid, name]) => `${name}:x:${gid}:`);
    await writeFile(join(layout.etcDir, 'ftpd.group'), `${groupLines.join('\n')}\n`, { mode: 0o600 });
    const config = await writeFilledTemplate('proftpd/proftpd.conf.template', join(layout.etcDir, 'proftpd.conf'), settings);
    return { file: PROFTPD, args: ['--nodaemon', '--config', config] };
  },
};

const pyftpdlib: PeerRecipe = {
  missing: () => missingFiles([DEBIAN_PYTHON, PYFTPDLIB_MODULE]),
  async prepare(settings) {
    const config = await writeLauncherConfig(settings);
    return { file: DEBIAN_PYTHON, args: [join(FIXTURES, 'pyftpdlib/serve.py'), config] };
  },
};

function npmPackageInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const missingNpmPackage = (name: string): string[] => (npmPackageInstalled(name) ? [] : [`npm package ${name} not installed (run \`npm ci\`)`]);

const ftpSrv: PeerRecipe = {
  missing: () => missingNpmPackage('ftp-srv'),
  async prepare(settings) {
    const config = await writeLauncherConfig(settings);
    // cwd = repo root so that `--import tsx` resolves from our node_modules.
    return { file: process.execPath, args: ['--import', 'tsx', join(FIXTURES, 'ftp-srv/serve.ts'), config], cwd: REPO_ROOT };
  },
};

/** A passwd line with its home (field 6) replaced. */
function withHome(line: string, home: string): string {
  const fields = line.split(':');
  fields[5] = home;
  return fields.join(':');
}

/**
 * in.ftpd reads only compiled-in paths under /etc. This writes the files it needs into
 * a folder that the launch overlays on /etc in a mount namespace of its own: a passwd
 * whose ftpcheck1/ftpcheck2/ftp homes are the jails of this run, the chroot list, an
 * ftpusers that bars only root, /etc/shells plus nologin (in.ftpd refuses users
 * whose shell it lacks), and the PAM service "ftp".
 */
async function writeFtpdSslOverlay(layout: PeerLayout): Promise<string> {
  const overlay = join(layout.etcDir, 'etc-overlay');
  // The overlay's top folder gives the merged /etc its mode: it must stay 0755.
  await mkdir(join(overlay, 'pam.d'), { recursive: true });
  await chmod(overlay, 0o755);
  await chmod(join(overlay, 'pam.d'), 0o755);
  const homes = new Map<string, string>([...accountHomes(layout).map(({ user, home }): [string, string] => [user, home]), ['ftp', layout.publicDir]]);
  const passwd = readPasswd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const home = homes.get(line.split(':')[0] ?? '');
      return home === undefined ? line : withHome(line, home);
    });
  const shells = readFileSync('/etc/shells', 'utf8').trimEnd();
  const files: [string, string][] = [
    ['passwd', `${passwd.join('\n')}\n`],
    ['shells', `${shells}\n/usr/sbin/nologin\n`],
    ['ftpchroot', `${namedAccounts().map((account) => account.user).join('\n')}\n`],
    ['ftpusers', 'root\n'],
    ['pam.d/ftp', readFileSync(join(FIXTURES, 'ftpd-ssl/pam.d-ftp'), 'utf8')],
  ];
  for (const [name, text] of files) await writeFile(join(overlay, name), text, { mode: 0o644 });
  return overlay;
}

/** in.ftpd's LIST runs "/bin/ls -lA" after chroot(): every jail gets a root-owned bin/ls. */
async function installJailLs(jail: string): Promise<void> {
  const bin = join(jail, 'bin');
  await mkdir(bin, { mode: 0o755 });
  await copyFile(BUSYBOX, join(bin, 'ls'));
  await chmod(join(bin, 'ls'), 0o755);
}

const ftpdSsl: PeerRecipe = {
  missing: () => [
    ...needsRoot(),
    ...missingFiles([IN_FTPD, BUSYBOX, UNSHARE, DEBIAN_PYTHON, PAM_FTP_MODULE]),
    ...missingSystemUsers(['ftp', ...namedAccounts().map((account) => account.user)]),
  ],
  async prepare(settings) {
    const { layout } = settings;
    const overlay = await writeFtpdSslOverlay(layout);
    for (const jail of [layout.publicDir, ...accountHomes(layout).map(({ home }) => home)]) await installJailLs(jail);
    const flags = parseFlagsFile(readFileSync(join(FIXTURES, 'ftpd-ssl/in.ftpd.flags'), 'utf8')).map((flag) =>
      fillTemplate(flag, templateValues(settings)),
    );
    const inetd = [DEBIAN_PYTHON, join(FIXTURES, 'ftpd-ssl/inetd.py'), settings.host, String(settings.port), IN_FTPD, ...flags];
    const script = 'mount -t overlay overlay -o "lowerdir=$0:/etc" /etc && exec "$@"';
    return { file: UNSHARE, args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script, overlay, ...inetd] };
  },
};

const nodeftpd: PeerRecipe = {
  missing: () => missingNpmPackage('ftpd'),
  async prepare(settings) {
    const config = await writeLauncherConfig(settings);
    return { file: process.execPath, args: ['--import', 'tsx', join(FIXTURES, 'nodeftpd/serve.ts'), config], cwd: REPO_ROOT };
  },
};

export const RECIPES: Readonly<Record<PeerName, PeerRecipe>> = {
  vsftpd,
  'pure-ftpd': pureFtpd,
  proftpd,
  pyftpdlib,
  'ftp-srv': ftpSrv,
  'ftpd-ssl': ftpdSsl,
  nodeftpd,
};

/** Peers that come from npm (`npm ci`), not from scripts/install-peers.sh. */
const NPM_PEERS: readonly PeerName[] = ['ftp-srv', 'nodeftpd'];

export function missingForPeer(name: PeerName): string[] {
  const missing = RECIPES[name].missing();
  if (missing.length === 0 || NPM_PEERS.includes(name)) return missing;
  return [...missing, INSTALL_HINT];
}
