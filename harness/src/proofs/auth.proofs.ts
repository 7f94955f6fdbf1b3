/** Faulty targets that the auth suite's cases must catch. */
import { startTempServer } from '../../../reference-server/src/temp-server.ts';
import type { TargetProfile } from '../target/profile.ts';
import type { Proof } from './proof.ts';

const BEFORE_LOGIN = [
  'auth.before-login-navigation-530',
  'auth.before-login-file-transfer-530',
  'auth.before-login-listing-530',
  'auth.before-login-mlst-530',
  'auth.before-login-transfer-setup-530',
  'auth.before-login-epsv-530',
  'auth.before-login-site-copy-530',
  'auth.before-login-rename-530',
  'auth.before-login-mkd-rmd-dele-530',
  'auth.before-login-size-mdtm-530',
  'auth.before-login-stat-path-530',
  'auth.before-login-pwd-rest-refused',
];

const ANONYMOUS_WRITES = [
  'auth.anonymous-cannot-store',
  'auth.anonymous-cannot-append-or-stou',
  'auth.anonymous-cannot-delete',
  'auth.anonymous-cannot-rename',
  'auth.anonymous-cannot-mkdir',
  'auth.anonymous-cannot-copy',
];

/**
 * An ftp-ref over FTPS whose profile declares `require-tls`; with
 * `enforced: false` it accepts plain-text logins all the same (the fault is the
 * server's configuration, not a code path: requireTls is off).
 */
function tlsTarget(enforced: boolean): () => Promise<{ profile: TargetProfile; stop(): Promise<void> }> {
  return async () => {
    const user = { name: 'alice', password: 'alice-secret-1' };
    const server = await startTempServer({ settings: { host: '127.0.0.1', requireTls: enforced }, accounts: [user] });
    return {
      profile: {
        host: server.host,
        port: server.port,
        tls: true,
        accounts: { user },
        capabilities: { add: ['require-tls'], remove: [] },
        limits: {},
        serverPaths: [server.dataDir],
        name: `ftp-ref over FTPS, TLS ${enforced ? 'required' : 'not enforced'}`,
      },
      stop: () => server.stop(),
    };
  };
}

export const AUTH_PROOFS: Proof[] = [
  {
    title: 'commands run before login, as a guest',
    faults: ['auth-commands-before-login'],
    mustFail: BEFORE_LOGIN,
    mustPass: ['auth.anonymous-can-read'],
  },
  { title: 'an unknown user gets another reply than a wrong password', faults: ['auth-unknown-user-distinct-reply'], mustFail: ['auth.same-reply-unknown-user-and-wrong-password'] },
  { title: 'failed logins are neither delayed nor cut off', faults: ['auth-no-login-throttle'], mustFail: ['auth.repeated-failures-slowed-or-cut'] },
  { title: 'anonymous may write', faults: ['auth-anonymous-can-write'], mustFail: ANONYMOUS_WRITES },
  { title: 'anonymous is rooted at the storage root', faults: ['auth-anonymous-wrong-root'], mustFail: ['auth.anonymous-can-read'] },
  { title: 'PASS without USER logs in', faults: ['auth-pass-without-user'], mustFail: ['auth.pass-without-user-refused', 'auth.pass-without-user-503'] },
  { title: 'a second USER before PASS is ignored', faults: ['auth-first-user-sticks'], mustFail: ['auth.second-user-replaces-first'] },
  { title: 'USER mid-session keeps the old login', faults: ['auth-user-keeps-rights'], mustFail: ['auth.user-mid-session-drops-rights'] },
  { title: 'REIN keeps the login', faults: ['auth-rein-keeps-login'], mustFail: ['auth.login-after-rein'] },
  { title: 'ended sessions never give back their per-user slot', faults: ['auth-login-slot-leak'], mustFail: ['auth.login-after-quit'] },
  { title: 'the vsftpd 2.3.4 smiley backdoor', faults: ['auth-smiley-backdoor'], mustFail: ['auth.smiley-backdoor-closed'] },
  { title: 'SQL injection in the login check', faults: ['auth-sql-injection'], mustFail: ['auth.sql-injection-user-refused'] },
  { title: 'a format string in the user name crashes the session', faults: ['auth-format-string-crash'], mustFail: ['auth.format-string-user-refused'] },
  { title: 'the password is echoed in the reply', faults: ['auth-password-echoed'], mustFail: ['auth.password-not-echoed'] },
  {
    title: 'long user names and passwords overflow a buffer',
    faults: ['auth-long-credentials-crash'],
    mustFail: ['auth.long-user-name-refused-cleanly', 'auth.long-password-refused-cleanly'],
  },
  { title: 'a server declared to require TLS accepts plain-text logins', start: tlsTarget(false), mustFail: ['auth.require-tls-refuses-plain-login'] },
  { title: 'a server that requires TLS (sanity: the case passes)', start: tlsTarget(true), mustFail: [], mustPass: ['auth.require-tls-refuses-plain-login'] },
];
