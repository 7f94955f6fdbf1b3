/**
 * Test-only faults that make ftp-ref break the auth suite's rules on purpose,
 * so the harness's tests can show each auth case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const AUTH_FAULTS = {
  'auth-commands-before-login': 'commands that need a login run before USER/PASS, as a read-only guest in the public folder (no login check)',
  'auth-unknown-user-distinct-reply': 'a failed PASS for an unknown user answers "No such user" instead of the usual "Login incorrect" (user enumeration)',
  'auth-no-login-throttle': 'failed logins are neither delayed nor counted: the connection is never closed (password guessing runs at full speed)',
  'auth-anonymous-can-write': 'anonymous sessions are not read-only: they may store, delete, rename and make folders in the public folder',
  'auth-anonymous-wrong-root': 'anonymous is rooted at the storage root (every home) instead of the public folder, so the public file is not found',
  'auth-pass-without-user': 'PASS without a USER first logs in as anonymous instead of answering 503',
  'auth-first-user-sticks': 'a second USER before PASS is ignored: the password is checked against the first name',
  'auth-user-keeps-rights': 'USER in a logged-in session answers 331 but keeps the old login in force',
  'auth-rein-keeps-login': 'REIN answers 220 but the session stays logged in',
  'auth-login-slot-leak': 'a session that ends never gives back its per-user slot: after maxPerUser logins the account is locked out',
  'auth-smiley-backdoor': 'the vsftpd 2.3.4 backdoor (CVE-2011-2523): a user name containing ":)" opens a listener on port 6200',
  'auth-sql-injection': 'the login check is a naive query: a name or password holding "\' OR 1=1" logs in as the first account',
  'auth-format-string-crash': 'a user name holding %n crashes the session (the connection drops without a reply)',
  'auth-password-echoed': 'the replies to PASS repeat the password given',
  'auth-long-credentials-crash': 'a user name or password over 1024 bytes overflows a fixed buffer: the connection drops without a reply',
} as const satisfies Record<string, string>;
