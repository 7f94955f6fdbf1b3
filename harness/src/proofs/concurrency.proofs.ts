/** Faulty targets that the concurrency suite's cases must catch. */
import type { Proof } from './proof.ts';

export const CONCURRENCY_PROOFS: Proof[] = [
  {
    title: 'one current directory shared by every session',
    faults: ['shared-cwd'],
    targetPerCase: true,
    mustFail: [
      'concurrency.separate-cwd-two-users',
      'concurrency.separate-cwd-same-user',
      'concurrency.users-and-anonymous-at-once',
      'concurrency.parallel-logins-one-account',
      'concurrency.parallel-uploads-byte-exact',
      'concurrency.parallel-downloads-byte-exact',
    ],
  },
  {
    title: 'the USER name remembered server-wide',
    faults: ['shared-pending-user'],
    mustFail: ['concurrency.interleaved-logins'],
  },
  {
    title: 'STOR writes over an existing file in place',
    faults: ['stor-overwrite-not-atomic'],
    mustFail: ['concurrency.concurrent-overwrite-whole', 'concurrency.concurrent-create-whole', 'concurrency.read-during-overwrite'],
  },
  {
    title: 'MKD checks, then creates like mkdir -p',
    faults: ['mkd-check-then-create'],
    mustFail: ['concurrency.parallel-mkd-one-succeeds'],
  },
  {
    title: 'the RNFR source remembered server-wide',
    faults: ['shared-rename-state'],
    mustFail: ['concurrency.parallel-rename-distinct-files'],
  },
  {
    title: 'RNTO copies, then deletes the source',
    faults: ['rename-copy-then-delete'],
    mustFail: ['concurrency.parallel-rename-same-file'],
  },
  {
    title: 'DELE of a missing file succeeds (rm -f)',
    faults: ['dele-force'],
    mustFail: ['concurrency.parallel-dele-one-succeeds'],
  },
  {
    title: 'no bound on connections',
    faults: ['no-connection-limit'],
    mustFail: ['concurrency.connection-limit-421', 'concurrency.connection-limit-others-keep-working'],
  },
  {
    title: 'slots never released when a client leaves',
    faults: ['slots-never-released'],
    mustFail: ['concurrency.connection-slot-released-after-quit', 'concurrency.connection-slots-released-after-drop', 'concurrency.per-user-slots-released-after-drop'],
  },
  {
    title: 'no bound on sessions per user',
    faults: ['no-per-user-limit'],
    mustFail: ['concurrency.per-user-limit-421', 'concurrency.per-user-limit-spares-other-users'],
  },
];
