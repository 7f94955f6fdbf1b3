/**
 * The view a submission gets, as bubblewrap arguments (pure): a fresh root
 * holding the system's programs read-only, its own copy of its folder, its
 * server root, the lab's shared folders read-only, a private /tmp, a /proc of
 * its own PID namespace, and nothing of the grader (repo, reports, other
 * submissions, the grader's /proc). It runs as a throw-away uid with no
 * capabilities, and no environment but what is listed.
 */

/** Where things are, as the submission sees them. */
export const INSIDE = {
  submission: '/srv/submission',
  root: '/srv/root',
  shares: '/opt/share',
  home: '/tmp',
} as const;

export type SystemEntry = { path: string; kind: 'dir' } | { path: string; kind: 'symlink'; target: string };

export interface SandboxView {
  /** Host path of the submission's private, writable copy. */
  submission: string;
  /** Host path of the server's root folder (the rubric's files). */
  root: string;
  /** Read-only folders the lab lets every submission use: host path -> name under INSIDE.shares. */
  shares: { from: string; name: string }[];
  /** /usr, /etc and the /bin, /lib… entries, as this machine has them (dirs or usr-merge symlinks). */
  system: SystemEntry[];
  uid: number;
  env: Record<string, string>;
  command: string[];
}

/** `options` go through --args (bwrap takes only options there); `command` follows `--` on bwrap's command line. */
export function bwrapArgs(view: SandboxView): { options: string[]; command: string[] } {
  const args = [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'submission',
    // Its processes die with the grader, and cannot push keystrokes into the grader's terminal (TIOCSTI).
    '--die-with-parent',
    '--new-session',
  ];
  for (const entry of view.system) {
    if (entry.kind === 'symlink') args.push('--symlink', entry.target, entry.path);
    else args.push('--ro-bind', entry.path, entry.path);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run');
  args.push('--perms', '0755', '--dir', '/srv', '--bind', view.submission, INSIDE.submission, '--bind', view.root, INSIDE.root);
  if (view.shares.length > 0) {
    args.push('--perms', '0755', '--dir', '/opt', '--perms', '0755', '--dir', INSIDE.shares);
    for (const share of view.shares) args.push('--ro-bind', share.from, `${INSIDE.shares}/${share.name}`);
  }
  args.push('--chdir', INSIDE.submission, '--clearenv');
  for (const [name, value] of Object.entries(view.env)) args.push('--setenv', name, value);
  const uid = String(view.uid);
  return { options: args, command: ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--no-new-privs', '--bounding-set', '-all', '--inh-caps', '-all', '--', ...view.command] };
}

/** bwrap reads its arguments NUL-separated from a file descriptor (--args), so the grader's paths and the environment given stay out of /proc/<pid>/cmdline. */
export function encodeArgs(args: string[]): string {
  return args.map((arg) => `${arg}\0`).join('');
}
