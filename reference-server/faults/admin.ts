/**
 * Test-only faults that make ftp-ref break the admin suite's rules on purpose,
 * so the harness's tests can show each admin case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const ADMIN_FAULTS = {
  'admin-commands-for-everyone': 'SITE USERS, ADDUSER, DELUSER and SETQUOTA skip the administrator check: any logged-in user (anonymous too) may run them',
  'admin-deluser-keeps-account': 'SITE DELUSER answers 200 but the account stays and can still log in',
  'admin-self-delete-allowed': 'SITE DELUSER lets an administrator delete their own account',
  'admin-setquota-ignored': 'SITE SETQUOTA answers 200 but the running server keeps the old limit (as if it were only read at a restart)',
  'admin-users-names-only': 'SITE USERS lists bare names, without role=, used= and limit=',
  'admin-password-misparsed': 'SITE ADDUSER and SITE REGISTER read the password one word too far (off by one): the new account does not get the password given',
  'admin-user-jail-at-storage-root': 'named users are rooted at the storage root (every home) instead of their own home',
  'admin-home-misnamed': 'a user\'s files go to a folder named <user>-home, not to the home named after the login',
  'admin-root-is-own-home': 'the administrator is rooted at a home of their own instead of the storage root that holds every home',
  'admin-register-accepts-bad-names': 'SITE REGISTER checks no name: "..", slashes, backslashes, upper case, over-long and reserved names are all taken, the home made with a naive join',
  'admin-register-nul-truncates': 'SITE REGISTER lets a NUL byte through and cuts the name at it, so "name<NUL>junk" registers "name"',
  'admin-register-overwrites': 'SITE REGISTER with a taken name answers 200 and sets that account\'s password (account takeover)',
} as const satisfies Record<string, string>;
