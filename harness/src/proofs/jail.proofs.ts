/**
 * Faulty targets that the jail suite's cases must catch: one classic
 * path-traversal bug per fault (faults/jail.ts), each failing the cases that
 * aim at its vector. The symlink cases need links planted in the user's home,
 * which no FTP command can make, so their proofs plant them first.
 */
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Proof } from './proof.ts';
import { startEmbeddedTarget } from '../target/embedded.ts';
import { faultyVariant, type FaultName } from '../../../reference-server/faults/index.ts';

/** An embedded ftp-ref whose user has, at its root, `ftp-check-link-out -> /` and `ftp-check-link-up -> ..` (see specs/jail/symlinks.yaml). */
async function withPlantedSymlinks(faults: FaultName[]) {
  const target = await startEmbeddedTarget({ variant: faultyVariant(faults) });
  const [dataDir] = target.profile.serverPaths;
  const user = target.profile.accounts.user;
  if (!dataDir || !user) throw new Error('the embedded target has no data folder or user');
  const home = join(dataDir, 'storage', user.name);
  await mkdir(home, { recursive: true });
  await symlink('/', join(home, 'ftp-check-link-out'));
  await symlink('..', join(home, 'ftp-check-link-up'));
  return target;
}

const SYMLINK_CASES = ['jail.symlink-out-cwd', 'jail.symlink-out-list', 'jail.symlink-out-read', 'jail.symlink-up-other-user'];

/** Every other-user case but STOU (which only a naive join lets through: ftp-ref keeps just the last name of a STOU argument). */
const OTHER_USER_CASES = [
  'retr', 'size', 'mdtm', 'hash', 'list', 'nlst', 'mlsd', 'mlst', 'stat', 'cwd',
  'dele', 'rnfr', 'rnto', 'stor', 'appe', 'mkd', 'rmd', 'cpfr', 'cpto',
].map((verb) => `jail.other-user-${verb}`);

export const JAIL_PROOFS: Proof[] = [
  {
    title: 'a naive join: `..` is not clamped at the root and nothing checks where the real path lands',
    faults: ['jail-naive-join'],
    mustFail: [
      'jail.cwd-dotdot-at-root', 'jail.cdup-at-root', 'jail.cdup-repeated', 'jail.cwd-slash-dotdot', 'jail.cwd-dotdot-chain',
      'jail.list-dotdot-at-root', 'jail.stat-root-no-host-folders', 'jail.list-root-no-other-homes',
      'jail.host-retr-dotdot', 'jail.host-size-dotdot', 'jail.host-mdtm-dotdot', 'jail.host-hash-dotdot', 'jail.host-mlst-dotdot',
      'jail.host-rnfr-dotdot', 'jail.host-cpfr-dotdot', 'jail.host-cwd-dotdot', 'jail.host-list-dotdot', 'jail.host-nlst-dotdot',
      'jail.host-mlsd-dotdot', 'jail.host-stat-dotdot',
      'jail.long-dotdot-chain', 'jail.glob-parent', 'jail.glob-other-user',
      'jail.other-user-stou', 'jail.other-user-retr', 'jail.other-user-dele',
    ],
    mustPass: ['jail.triple-dot', 'jail.percent-retr'],
  },
  {
    title: 'every user rooted at the folder of all homes, starting in its own',
    faults: ['jail-shared-root'],
    mustFail: ['jail.pwd-root-is-slash', 'jail.list-root-no-other-homes', 'jail.glob-parent', 'jail.glob-other-user', ...OTHER_USER_CASES],
  },
  {
    title: 'no chroot at all: the root is the host `/`, sessions start in the real home',
    faults: ['jail-no-chroot'],
    mustFail: ['jail.pwd-root-is-slash', 'jail.list-root-no-host-folders', 'jail.mlsd-root-no-host-folders', 'jail.pwd-after-cwd-virtual', 'jail.host-retr-dotdot'],
  },
  {
    title: '`\\` turned into a separator after the `..` check',
    faults: ['jail-backslash-separator'],
    mustFail: ['jail.backslash-retr', 'jail.backslash-size-mdtm', 'jail.backslash-cwd', 'jail.backslash-list', 'jail.other-user-retr', 'jail.other-user-list', 'jail.other-user-stor'],
    mustPass: ['jail.drive-letter'],
  },
  {
    title: '%xx escapes (and overlong UTF-8 in them) decoded after the `..` check',
    faults: ['jail-percent-decode'],
    mustFail: ['jail.percent-retr', 'jail.percent-size-cwd', 'jail.percent-list', 'jail.overlong-utf8-retr', 'jail.overlong-utf8-list', 'jail.other-user-retr', 'jail.other-user-cwd'],
  },
  {
    title: 'raw overlong UTF-8 bytes (0xC0 0xAE) decoded as `.` after the `..` check',
    faults: ['jail-overlong-utf8'],
    mustFail: ['jail.overlong-raw-cwd', 'jail.overlong-raw-size-stat', 'jail.overlong-raw-retr'],
  },
  {
    title: '`../` deleted once as "sanitising", then a naive join',
    faults: ['jail-dotdot-strip-once'],
    mustFail: ['jail.dotdot-filter-bypass', 'jail.other-user-retr', 'jail.other-user-rnfr'],
    mustPass: ['jail.triple-dot'],
  },
  {
    title: '`...` climbing two levels on the disk',
    faults: ['jail-triple-dot'],
    mustFail: ['jail.triple-dot', 'jail.other-user-retr', 'jail.other-user-mkd'],
  },
  {
    title: 'drive letters and UNC names restart the path at the host root',
    faults: ['jail-windows-absolute'],
    mustFail: ['jail.drive-letter', 'jail.unc-path'],
  },
  {
    title: '`//x` joined like os.path.join(root, "/x"): the host /x',
    faults: ['jail-double-slash-root'],
    mustFail: ['jail.double-slash'],
  },
  {
    title: '`~user` expanded to that user\'s home on the disk',
    faults: ['jail-tilde-expansion'],
    mustFail: ['jail.tilde-own-home', 'jail.tilde-other-user', 'jail.other-user-retr', 'jail.other-user-stat'],
  },
  {
    title: 'symlinks followed with no containment check (links planted in the home)',
    start: () => withPlantedSymlinks(['jail-follow-symlinks']),
    mustFail: SYMLINK_CASES,
  },
  {
    title: 'control: the same planted symlinks on a correct ftp-ref are never followed out',
    start: () => withPlantedSymlinks([]),
    mustFail: [],
    mustPass: SYMLINK_CASES,
  },
  {
    title: 'error replies carry the real path',
    faults: ['jail-leak-real-path'],
    mustFail: [
      'jail.error-retr-missing', 'jail.error-cwd-missing', 'jail.error-dele-rnfr-missing', 'jail.error-mkd-missing-parent',
      'jail.error-size-mdtm-missing', 'jail.long-path-clean-error',
    ],
  },
  {
    title: 'PWD answers the real path',
    faults: ['jail-pwd-real-path'],
    mustFail: ['jail.pwd-root-is-slash', 'jail.pwd-after-cwd-virtual'],
  },
  {
    title: 'command lines read as C strings: cut at the first NUL or CR',
    faults: ['jail-c-string-truncation'],
    mustFail: ['jail.nul-dele-truncation', 'jail.nul-rnfr-truncation', 'jail.nul-retr-truncation', 'jail.cr-inside-name'],
  },
];
