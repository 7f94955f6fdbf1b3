/**
 * A fixed run for the reporter tests: two suites; a pass, a critical failure with
 * a long transcript, a skip, an expected failure, a warned SHOULD case; cases
 * ending out of order as a parallel run would have them.
 */
import type { CaseInfo, CaseResult, RunEvent } from '../engine/results.ts';
import { summarize } from '../engine/results.ts';
import type { TranscriptEntry } from '../wire/transcript.ts';

export const TARGET = 'ftp://127.0.0.1:2121';

function info(suite: string, id: string, overrides: Partial<CaseInfo> = {}): CaseInfo {
  return {
    id,
    suite,
    title: `${id} title`,
    severity: 'major',
    level: 'must',
    references: [],
    warning: '',
    file: `specs/${suite}/${id}.yaml`,
    ...overrides,
  };
}

function transcript(lines: Array<[TranscriptEntry['direction'], string]>): TranscriptEntry[] {
  return lines.map(([direction, text], index) => ({ atMs: index * 3, direction, channel: 'control', text }));
}

export const cases = {
  userPass: info('rfc959', 'user-pass', { title: 'USER then PASS logs in', references: ['RFC 959 §4.1.1'] }),
  featUtf8: info('rfc959', 'feat-utf8', {
    title: 'FEAT lists UTF8',
    severity: 'minor',
    level: 'should',
    references: ['RFC 2640 §3.1'],
    warning: 'The server does not announce UTF8 in FEAT, so clients may mangle non-ASCII file names.',
  }),
  siteHelp: info('rfc959', 'site-help', { title: 'SITE HELP lists commands', severity: 'info' }),
  cwdEscape: info('jail', 'cwd-escape', {
    title: 'CWD ../.. cannot leave the jail',
    severity: 'critical',
    references: ['RFC 959 §4.1.1', 'lab requirement J-1'],
    warning: 'A logged-in user can leave their home folder with CWD ../.. and read the whole disk.',
  }),
  symlinkEscape: info('jail', 'symlink-escape', {
    title: 'a symlink cannot point out of the jail',
    severity: 'critical',
    references: ['CWE-59'],
    warning: 'A symlink inside the home folder lets the user read files outside it.',
  }),
  pwdRoot: info('jail', 'pwd-root', { title: 'PWD at login shows /' }),
} satisfies Record<string, CaseInfo>;

/** 15 lines: the console shows the last 12, so the first three must not appear. */
const escapeTranscript = transcript([
  ['received', '220 jail-test ready'],
  ['sent', 'USER alice'],
  ['received', '331 Password required for alice'],
  ['sent', 'PASS ***'],
  ['received', '230 Logged in'],
  ['sent', 'PWD'],
  ['received', '257 "/" is the current directory'],
  ['sent', 'TYPE I'],
  ['received', '200 Type set to I'],
  ['note', 'trying to climb out of the jail'],
  ['sent', 'CWD ../..'],
  ['received', '250 CWD command successful'],
  ['sent', 'PWD'],
  ['received', '257 "/etc" is the current directory'],
  ['note', 'left the jail'],
]);

export const results = {
  userPass: {
    info: cases.userPass,
    status: 'passed',
    durationMs: 12,
    transcript: transcript([
      ['received', '220 ready'],
      ['sent', 'USER bob'],
      ['received', '331 Password required'],
      ['sent', 'PASS ***'],
      ['received', '230 Logged in'],
    ]),
  },
  featUtf8: {
    info: cases.featUtf8,
    status: 'warned',
    durationMs: 8,
    failure: { step: 'step 2: send FEAT', expected: ['a 211 reply listing UTF8'], actual: '211 reply without UTF8' },
    transcript: transcript([
      ['sent', 'FEAT'],
      ['received', '211-Features:'],
      ['received', ' SIZE'],
      ['received', '211 End'],
    ]),
  },
  siteHelp: { info: cases.siteHelp, status: 'skipped', durationMs: 0, reason: 'server does not implement SITE', transcript: [] },
  cwdEscape: {
    info: cases.cwdEscape,
    status: 'failed',
    durationMs: 43,
    failure: {
      step: 'step 3: send CWD ../..',
      expected: ['550 reply', '553 reply', '250 reply that stays at /'],
      actual: '250 CWD command successful, then PWD showed "/etc"',
      detail: 'real path /etc reached from home /srv/ftp/alice',
    },
    transcript: escapeTranscript,
  },
  symlinkEscape: {
    info: cases.symlinkEscape,
    status: 'expected-failure',
    durationMs: 20,
    reason: 'known bug #12: symlinks are followed',
    failure: { step: 'step 2: send RETR link', expected: ['550 reply'], actual: '150 Opening data connection' },
    transcript: transcript([
      ['sent', 'RETR link'],
      ['received', '150 Opening data connection'],
    ]),
  },
  pwdRoot: {
    info: cases.pwdRoot,
    status: 'passed',
    durationMs: 5,
    transcript: transcript([
      ['sent', 'PWD'],
      ['received', '257 "/"'],
    ]),
  },
} satisfies Record<string, CaseResult>;

export const declared: CaseInfo[] = [
  cases.userPass,
  cases.featUtf8,
  cases.siteHelp,
  cases.cwdEscape,
  cases.symlinkEscape,
  cases.pwdRoot,
];

/** The order cases end in: jail completes first, rfc959 last. */
export const endOrder: CaseResult[] = [
  results.pwdRoot,
  results.featUtf8,
  results.cwdEscape,
  results.userPass,
  results.symlinkEscape,
  results.siteHelp,
];

export const STARTED_AT = Date.UTC(2025, 0, 2, 3, 4, 5);

export function runEvents(): RunEvent[] {
  const allResults = declared.map((c) => endOrder.find((r) => r.info === c) as CaseResult);
  const events: RunEvent[] = [
    { type: 'run-start', target: TARGET, cases: declared, capabilities: ['UTF8', 'MLST', 'REST STREAM'], startedAt: STARTED_AT },
  ];
  for (const info of declared) events.push({ type: 'case-start', info });
  for (const result of endOrder) events.push({ type: 'case-end', result });
  events.push({ type: 'run-end', summary: summarize(allResults, TARGET, 1234), results: allResults });
  return events;
}
