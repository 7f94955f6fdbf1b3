/**
 * Test-only faults that make ftp-ref break the jail suite's rules on purpose,
 * so the harness's tests can show each jail case able to fail. Each entry:
 * name -> what the faulty server does wrong. Each reproduces one classic
 * path-traversal bug (CWE-22/23/36/59/158); the behaviour lives in
 * jail-mapping.ts and is hooked in at the one path-mapping module (vfs/jail.ts).
 */
export const JAIL_FAULTS = {
  'jail-naive-join':
    'the client path is joined to the current directory and the root without clamping `..` and without a containment check, so `../../x` and `/../x` leave the root (PWD shows `/..`)',
  'jail-backslash-separator': '`..` is clamped on `/` only, then `\\` is turned into `/` for the disk (as Windows does), with no containment check: `..\\..\\x` escapes',
  'jail-percent-decode': '`..` is clamped on the raw text, then %xx escapes are decoded (overlong UTF-8 such as %c0%ae accepted) for the disk: `%2e%2e%2f` escapes',
  'jail-overlong-utf8': 'command bytes are decoded leniently after the `..` check, so the overlong pair 0xC0 0xAE becomes `.` on the disk (the IIS Unicode bug)',
  'jail-dotdot-strip-once': 'the path is "sanitised" by deleting `../` once, then joined naively: `....//` becomes `../`',
  'jail-triple-dot': 'a name of three or more dots climbs one level per extra dot on the disk (`...` is `../..`, as in Windows 9x)',
  'jail-windows-absolute': 'a drive letter (`C:\\`, `C:/`) or UNC name (`\\\\host\\share`) anywhere in the path restarts it at the host root, as Windows path joining does',
  'jail-double-slash-root': 'the first `/` is dropped and the rest joined onto the root like Python os.path.join, so `//etc` (still absolute) is the host /etc',
  'jail-tilde-expansion': '`~user` is expanded to that user\'s home on the disk (wu-ftpd style globbing), so another home is reachable',
  'jail-follow-symlinks': 'symlinks are followed with no check that their target lies inside the root',
  'jail-shared-root': 'every user is rooted at the storage folder that holds all homes and merely starts in its own, so other homes are reachable',
  'jail-no-chroot': 'users are not chrooted at all: the root is the host `/`, the session starts in the real home path (PWD shows it)',
  'jail-leak-real-path': 'error replies carry the real path on the server disk (as `strerror` messages with the path often do)',
  'jail-pwd-real-path': 'PWD answers the real path of the current directory on the server disk instead of the virtual one',
  'jail-c-string-truncation': 'a command line is read as a C string: cut at the first NUL and at the first CR (strcspn(line, "\\r\\n")), so `DELE a\\0b` deletes `a`',
} as const satisfies Record<string, string>;
