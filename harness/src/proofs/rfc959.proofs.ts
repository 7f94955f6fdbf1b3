/**
 * Faulty targets that the rfc959 suite's cases must catch: ftp-ref with
 * test-only faults (reference-server/faults/rfc959.ts, and a few of the
 * resume suite's that break RFC 959 rules too), and scripted fake servers for
 * what a whole server gets wrong by leaving things out: a "student server"
 * that implements only the commands a first client needs.
 */
import { fakeServerProfile, scratchDialogue } from '../../../fixtures/fake-servers/scratch-dialogue.ts';
import { startScriptedServer, act, type ScriptAction, type ScriptRule, type ScriptedServerOptions } from '../../../fixtures/fake-servers/scripted-server.ts';
import type { TargetProfile } from '../target/profile.ts';
import type { Proof } from './proof.ts';

const LS_LINE = '-rw-r--r--   1 ftp      ftp             2 Jan  1 00:00 names.txt\r\n';

/**
 * Just enough FTP for a case to log in, make its scratch folder and move files:
 * downloads and listings come without a 150, APPE without one either, TYPE knows
 * A and I only (and takes anything else but E and two-word types as fine), and everything not here (NOOP, ACCT, MODE, STRU, ALLO, ABOR, OPTS)
 * is answered 502.
 */
function studentRules(): ScriptRule[] {
  return [
    { match: 'DELE', do: [act.reply('250 Deleted.')] },
    { match: /^TYPE [AI]$/i, do: [act.reply('200 Type set.')] },
    { match: /^TYPE E$/i, do: [act.reply('502 EBCDIC not implemented.')] },
    { match: /^TYPE \S+ \S+$/i, do: [act.reply('504 Format not implemented.')] },
    { match: 'TYPE', do: [act.reply('200 Type set.')] },
    { match: 'PASV', do: [act.pasv()] },
    { match: 'EPSV', do: [act.epsv()] },
    { match: 'STOR', do: [act.reply('150 Send it.'), act.dataReceive(), act.reply('226 Stored.')] },
    { match: 'STOU', do: [act.reply('150 Ok to send data.'), act.dataReceive(), act.reply('226 Stored.')] },
    { match: 'APPE', do: [act.reply('226 Appended.')] },
    { match: 'RETR', do: [act.dataSend('student server bytes\n'), act.reply('226 Sent.')] },
    { match: 'LIST', do: [act.dataSend(LS_LINE), act.reply('226 Listed.')] },
    { match: 'NLST', do: [act.dataSend(LS_LINE), act.reply('226 Listed.')] },
    { match: 'REST', do: [act.reply('350 Restarting.')] },
    { match: 'SYST', do: [act.reply('215 UNIX Type: L8')] },
    { match: 'FEAT', do: [act.reply('211-Features:', ' SIZE', ' UTF8', ' REST STREAM', ' HASH SHA-256;SHA-1;MD5', ' AUTH TLS', '211 End')] },
    ...scratchDialogue().filter((rule) => rule.match !== 'NOOP'),
  ];
}

/** A scripted server as a proof target: `rules` come before the student server's, so they win. */
function fakeTarget(name: string, rules: ScriptRule[], options: Pick<ScriptedServerOptions, 'greeting'> = {}) {
  return async (): Promise<{ profile: TargetProfile; stop(): Promise<void> }> => {
    const server = await startScriptedServer({ ...options, rules: [...rules, ...studentRules()] });
    return {
      profile: fakeServerProfile(server, name),
      stop: () => server.close(),
    };
  };
}

/** 220 to the probe's two sessions (FEAT, then the user's login), something else to the case's. */
const lateBadGreeting: ScriptAction = act.run(({ session, write }) => write(session.index < 2 ? '220 Ready.\r\n' : '200 Hello there.\r\n'));

export const RFC959_PROOFS: Proof[] = [
  // Reply syntax and codes (session.ts)
  { title: 'multi-line replies open without the hyphen', faults: ['rfc959-multiline-no-hyphen'], mustFail: ['rfc959.multiline-well-formed', 'rfc959.feat-syntax'] },
  { title: 'inner lines of multi-line replies lose their leading space', faults: ['rfc959-multiline-unindented'], mustFail: ['rfc959.feat-syntax', 'rfc959.mlst-reply-shape'] },
  {
    title: 'status and help replies go out as 200',
    faults: ['rfc959-status-replies-200'],
    mustFail: ['rfc959.syst-215', 'rfc959.help-214', 'rfc959.help-command-214', 'rfc959.stat-211', 'rfc959.stat-path-listing'],
  },
  {
    title: 'no precondition checks: no login check, no argument check, unknown verbs crash',
    faults: ['rfc959-no-preconditions'],
    mustFail: ['rfc959.before-login-530', 'rfc959.unknown-command-500', 'rfc959.missing-argument-refused', 'rfc959.missing-argument-501'],
  },
  {
    title: 'filesystem errors answered 451 instead of 550',
    faults: ['rfc959-fs-errors-451'],
    mustFail: [
      'rfc959.cwd-missing-550',
      'rfc959.mkd-existing-550',
      'rfc959.rmd-empty-and-full',
      'rfc959.dele-250-then-550',
      'rfc959.rnfr-missing-550',
      'rfc959.retr-missing-550',
      'rfc959.mdtm-missing-550',
      'rfc959.hash-missing-550',
    ],
    mustPass: ['rfc959.mlst-reply-shape'],
  },
  { title: 'QUIT leaves the connection open', faults: ['rfc959-quit-stays-open'], mustFail: ['rfc959.quit-221-closes', 'rfc959.quit-before-login-221'] },
  // Paths (navigation.ts)
  {
    title: 'PWD and MKD print the path without quotes',
    faults: ['rfc959-path-unquoted'],
    mustFail: ['rfc959.pwd-257-quoted', 'rfc959.mkd-cwd-pwd', 'rfc959.mkd-257-quoted', 'rfc959.pwd-quote-doubling', 'rfc959.x-variants'],
  },
  { title: 'RNFR answers 200', faults: ['rfc959-rnfr-200'], mustFail: ['rfc959.rnfr-rnto-350-250'] },
  { title: 'RNTO without RNFR is not a bad sequence', faults: ['rfc959-rnto-no-sequence-check'], mustFail: ['rfc959.rnto-without-rnfr-503'] },
  { title: 'SIZE one byte too many', faults: ['rfc959-size-off-by-one'], mustFail: ['rfc959.size-exact'] },
  { title: 'MDTM in ISO 8601', faults: ['rfc959-mdtm-iso'], mustFail: ['rfc959.mdtm-format'] },
  // Listings (listing.ts)
  {
    title: 'LIST and NLST list the root, not the current directory',
    faults: ['rfc959-list-ignores-cwd'],
    mustFail: ['rfc959.list-shows-file', 'rfc959.nlst-names-only', 'rfc959.port-list-active', 'rfc959.eprt-list-active', 'rfc959.utf8-name-roundtrip'],
  },
  { title: 'MLSD and MLST give the type fact only', faults: ['rfc959-mlsx-facts-missing'], mustFail: ['rfc959.mlsd-entries-facts', 'rfc959.mlst-modify-perm'] },
  { title: 'MLSD lists a file', faults: ['rfc959-mlsd-file-allowed'], mustFail: ['rfc959.mlsd-on-file-501'] },
  { title: 'listings in Latin-1', faults: ['rfc959-listing-latin1'], mustFail: ['rfc959.utf8-name-roundtrip'] },
  // Data connections (data-setup.ts)
  { title: 'the 227 announces 0,0,0,0', faults: ['rfc959-pasv-wrong-address'], mustFail: ['rfc959.pasv-227-address'] },
  { title: 'the 229 without parentheses', faults: ['rfc959-epsv-no-parens'], mustFail: ['rfc959.epsv-229-format'] },
  { title: 'EPSV ALL ignored', faults: ['rfc959-epsv-all-ignored'], mustFail: ['rfc959.epsv-all-refuses-others'] },
  {
    title: 'PORT, EPRT and EPSV argument problems answered 500',
    faults: ['rfc959-data-setup-errors-500'],
    mustFail: ['rfc959.eprt-unknown-protocol-522', 'rfc959.epsv-unknown-protocol-522', 'rfc959.eprt-bad-syntax-501', 'rfc959.port-bad-syntax-501'],
  },
  { title: 'active-mode port read with its bytes swapped', faults: ['rfc959-active-port-swapped'], mustFail: ['rfc959.port-list-active', 'rfc959.eprt-list-active'] },
  // Transfers: the resume suite's faults break RFC 959 rules as well
  { title: 'binary downloads lose the high bit', faults: ['type-i-corrupts-byte'], mustFail: ['rfc959.stor-retr-roundtrip'] },
  { title: 'APPE overwrites', faults: ['appe-overwrites'], mustFail: ['rfc959.appe-appends'] },
  { title: 'TYPE A downloads keep bare LF', faults: ['type-a-download-not-converted'], mustFail: ['rfc959.ascii-crlf-download'] },
  { title: 'RETR ignores REST', faults: ['rest-ignored-retr'], mustFail: ['rfc959.rest-stream-resume'] },
  { title: 'HASH leaves out the last byte', faults: ['hash-wrong-range'], mustFail: ['rfc959.hash-digest', 'rfc959.opts-hash-switch'] },
  // Whole servers that leave things out
  {
    title: 'a student server: no 150 on downloads or APPE, TYPE A/I only, no NOOP/ACCT/MODE/STRU/ALLO/ABOR/OPTS, lax REST and STOU, HASH without *',
    start: fakeTarget('student server', []),
    mustFail: [
      'rfc959.noop-200',
      'rfc959.acct-202',
      'rfc959.type-a-i-200',
      'rfc959.type-l8-200',
      'rfc959.type-e-504',
      'rfc959.type-unknown-refused',
      'rfc959.mode-s-200',
      'rfc959.mode-b-c-504',
      'rfc959.stru-f-200',
      'rfc959.stru-r-p-504',
      'rfc959.allo-200-202',
      'rfc959.abor-idle-225',
      'rfc959.download-preliminary',
      'rfc959.upload-preliminary',
      'rfc959.stou-150-file',
      'rfc959.nlst-names-only',
      'rfc959.rest-non-number-refused',
      'rfc959.hash-feat-one-star',
      'rfc959.opts-utf8-on',
    ],
  },
  // A server without MODE/STRU (the student server) cannot be asked about unknown modes: one that takes any is the fault.
  {
    title: 'MODE and STRU take any argument',
    start: fakeTarget('MODE/STRU yes to all', [{ match: 'MODE', do: [act.reply('200 Mode set.')] }, { match: 'STRU', do: [act.reply('200 Structure set.')] }]),
    mustFail: ['rfc959.mode-unknown-refused', 'rfc959.stru-unknown-refused'],
  },
  // RFC 3659 §4.2 allows 4xy for a missing file (451 is no fault there): a size for a file that is not there is.
  { title: 'SIZE gives a size for any name', start: fakeTarget('SIZE for anything', [{ match: 'SIZE', do: [act.reply('213 0')] }]), mustFail: ['rfc959.size-missing-550'] },
  // RFC 2389 §4 lets a server without OPTS answer 502 (the student server): saying yes to an option it does not know is the fault.
  { title: 'OPTS says yes to any option', start: fakeTarget('OPTS yes to all', [{ match: 'OPTS', do: [act.reply('200 OK.')] }]), mustFail: ['rfc959.opts-unknown-501'] },
  { title: 'a server that greets with 200, not 220', start: fakeTarget('bad greeting', [], { greeting: [lateBadGreeting] }), mustFail: ['rfc959.greeting-220'] },
  {
    title: 'AUTH TLS answered 234 but no TLS handshake follows',
    start: fakeTarget('234 without TLS', [{ match: 'AUTH', do: [act.reply('234 Go ahead.'), act.delay(200), act.raw('500 Still in the clear.\r\n')] }]),
    mustFail: ['rfc959.auth-tls-234-handshake'],
  },
  {
    title: 'PBSZ and PROT accepted in any order and at any level, and PROT P leaves data in the clear',
    start: fakeTarget('lax FTPS', [
      { match: 'AUTH', do: [act.reply('234 Go ahead.'), act.startTls()] },
      { match: 'PBSZ', do: [act.reply('200 PBSZ=0')] },
      { match: 'PROT', do: [act.reply('200 Protection level set.')] },
      { match: 'LIST', do: [act.reply('150 Here it comes.'), act.dataSend(LS_LINE), act.reply('226 Listed.')] },
    ]),
    mustFail: ['rfc959.pbsz-before-auth-503', 'rfc959.prot-before-pbsz-503', 'rfc959.prot-unknown-level-504', 'rfc959.prot-p-data'],
  },
];
