/**
 * Test-only faults that make ftp-ref break the concurrency suite's rules on purpose,
 * so the harness's tests can show each concurrency case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const CONCURRENCY_FAULTS = {
  'no-connection-limit': 'accepts every connection: maxConnections (and the per-address bound) is never enforced',
  'slots-never-released': 'a connection that ends (QUIT or drop) keeps its connection slot and its per-user login slot for ever',
  'no-per-user-limit': 'lets one account log in any number of times (maxPerUser is never enforced)',
  'shared-cwd': 'one current directory shared by every session (a global variable), not one per session',
  'shared-pending-user': 'the name given by USER is remembered server-wide, so PASS may log in with another session\'s name',
  'shared-rename-state': 'the RNFR source is remembered server-wide, so RNTO may rename another session\'s file',
  'rename-copy-then-delete': 'RNTO copies the file and then deletes the source, so parallel renames of one file all "succeed" and duplicate it',
  'mkd-check-then-create': 'MKD checks that the name is free, then creates it like mkdir -p: parallel MKDs of one name all succeed',
  'dele-force': 'DELE checks that the file exists, then removes it like rm -f: parallel DELEs of one file all succeed',
} as const satisfies Record<string, string>;
