/** Faulty targets that the admin suite's cases must catch. */
import type { Proof } from './proof.ts';

export const ADMIN_PROOFS: Proof[] = [
  {
    title: 'admin commands are allowed to everyone',
    faults: ['admin-commands-for-everyone'],
    mustFail: [
      'admin.users-refused-for-user',
      'admin.users-refused-for-anonymous',
      'admin.adduser-refused-for-user',
      'admin.adduser-refused-for-anonymous',
      'admin.deluser-refused-for-user',
      'admin.deluser-refused-for-anonymous',
      'admin.setquota-refused-for-user',
      'admin.setquota-refused-for-anonymous',
    ],
  },
  { title: 'a deleted account can still log in', faults: ['admin-deluser-keeps-account'], mustFail: ['admin.deluser-cannot-log-in'] },
  { title: 'the administrator may delete their own account', faults: ['admin-self-delete-allowed'], mustFail: ['admin.deluser-self-refused'] },
  {
    title: 'SETQUOTA is not applied',
    faults: ['admin-setquota-ignored'],
    mustFail: ['admin.setquota-lowered-refuses-next-upload', 'admin.setquota-raised-allows-upload', 'admin.users-reflects-setquota'],
  },
  { title: 'SITE USERS lists bare names', faults: ['admin-users-names-only'], mustFail: ['admin.users-lists-accounts', 'admin.users-shows-usage'] },
  { title: 'ADDUSER and REGISTER misread the password', faults: ['admin-password-misparsed'], mustFail: ['admin.adduser-can-log-in', 'admin.register-can-log-in'] },
  { title: 'users are rooted at the storage root', faults: ['admin-user-jail-at-storage-root'], mustFail: ['admin.adduser-home-jailed', 'admin.register-home-jailed'] },
  { title: 'homes are not named after the login', faults: ['admin-home-misnamed'], mustFail: ['admin.register-home-named-after-login'] },
  { title: 'the administrator is rooted at a home of their own', faults: ['admin-root-is-own-home'], mustFail: ['admin.root-holds-every-home'] },
  {
    title: 'registration checks no name',
    faults: ['admin-register-accepts-bad-names'],
    mustFail: [
      'admin.register-refuses-dotdot',
      'admin.register-refuses-slash',
      'admin.register-refuses-backslash',
      'admin.register-refuses-too-long',
      'admin.register-refuses-upper-case',
      'admin.register-refuses-reserved',
    ],
  },
  { title: 'registration cuts names at a NUL byte', faults: ['admin-register-nul-truncates'], mustFail: ['admin.register-refuses-nul'] },
  { title: 'registering a taken name resets its password', faults: ['admin-register-overwrites'], mustFail: ['admin.register-refuses-taken'] },
];
