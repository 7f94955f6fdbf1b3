import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_REPLIES, GREETING, entriesFor, isRefusal, judgeReply, listedReplies, replyClass } from './reply-codes.ts';

/** RFC 959 §5.3.1, the full list of commands. */
const RFC959_COMMANDS = ['USER', 'PASS', 'ACCT', 'CWD', 'CDUP', 'SMNT', 'QUIT', 'REIN', 'PORT', 'PASV', 'TYPE', 'STRU', 'MODE', 'RETR', 'STOR', 'STOU', 'APPE', 'ALLO', 'REST', 'RNFR', 'RNTO', 'ABOR', 'DELE', 'RMD', 'MKD', 'PWD', 'LIST', 'NLST', 'SITE', 'SYST', 'STAT', 'HELP', 'NOOP'];
/** The IANA FTP commands registry (RFC 5797), base FTP. */
const IANA_MANDATORY = ['ABOR', 'ACCT', 'ALLO', 'APPE', 'CWD', 'DELE', 'HELP', 'LIST', 'MODE', 'NLST', 'NOOP', 'PASS', 'PASV', 'PORT', 'QUIT', 'REIN', 'REST', 'RETR', 'RNFR', 'RNTO', 'SITE', 'STAT', 'STOR', 'STRU', 'TYPE', 'USER'];
const IANA_OPTIONAL = ['CDUP', 'MKD', 'PWD', 'RMD', 'SMNT', 'STOU', 'SYST'];

describe('the reply-code table', () => {
  test('has every RFC 959 command once, and no verb or alias twice', () => {
    const verbs = COMMAND_REPLIES.map((entry) => entry.verb);
    for (const verb of RFC959_COMMANDS) assert.ok(verbs.includes(verb), `${verb} missing`);
    const names = COMMAND_REPLIES.flatMap((entry) => [entry.verb, ...(entry.aliases ?? [])]);
    assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
  });

  test('marks the RFC 5797 base commands mandatory or optional exactly as the registry does', () => {
    const status = (wanted: string) => COMMAND_REPLIES.filter((entry) => entry.registry === wanted && entry.verb !== GREETING).map((entry) => entry.verb).sort();
    assert.deepEqual(status('mandatory'), [...IANA_MANDATORY].sort());
    assert.deepEqual(status('optional'), [...IANA_OPTIONAL].sort());
    for (const entry of COMMAND_REPLIES) assert.ok(entry.registrySource.length > 0 && entry.source.length > 0, `${entry.verb} names its sources`);
  });

  test('puts every code in the list of its class (RFC 959 §4.2)', () => {
    for (const entry of COMMAND_REPLIES) {
      for (const code of entry.preliminary ?? []) assert.equal(replyClass(code), 'preliminary', `${entry.verb} ${code}`);
      for (const code of entry.success) assert.equal(replyClass(code), 'completion', `${entry.verb} ${code}`);
      for (const code of entry.intermediate ?? []) assert.equal(replyClass(code), 'intermediate', `${entry.verb} ${code}`);
      for (const code of [...entry.error, ...(entry.transferError ?? [])]) assert.ok(isRefusal(code), `${entry.verb} ${code}`);
      if (entry.transferError) assert.ok(entry.preliminary?.length, `${entry.verb}: transfer errors follow a 1yz`);
      assert.ok(entry.success.length + (entry.intermediate?.length ?? 0) > 0, `${entry.verb} can succeed somehow`);
    }
  });

  test('holds the known readings of RFC 959 §5.4 and its successors', () => {
    const of = (line: string) => listedReplies(line);
    assert.ok(!of('PWD')?.error.includes(530), 'RFC 959 lists no 530 for PWD');
    assert.ok(of('PWD')?.error.includes(550), 'PWD may answer 550');
    assert.ok(of('REST abc')?.error.includes(500) && of('REST abc')?.error.includes(501), 'REST may answer 500/501');
    assert.deepEqual(of('RNFR x')?.intermediate, [350]);
    assert.ok(of('FEAT')?.error.includes(502) && of('FEAT')?.error.includes(500), 'RFC 2389 §3: 500 or 502 without FEAT');
    assert.ok(of('CDUP')?.success.includes(250), 'CDUP replies as CWD (RFC 959 §4.1.1)');
    assert.ok(of('EPRT |3|x|1|')?.error.includes(522), 'RFC 2428 §2');
    assert.ok(of('NOOP')?.error.includes(421), '421 answers any command (RFC 959 §4.2.1)');
    assert.ok(!of('RETR x')?.error.includes(425) && of('RETR x')?.transferError.includes(425), '425 only after a 150 (RFC 959 §5.4 indentation)');
    assert.ok(of('STOR x')?.transferError.includes(552), 'STOR: 552 after the 150');
    assert.ok(of('MKD x')?.error.includes(521), 'RFC 959 Appendix II: 521 for an existing directory');
  });
});

describe('entriesFor / listedReplies', () => {
  test('reads the verb case-insensitively and maps RFC 775 X forms', () => {
    assert.equal(entriesFor('pwd')[0]?.verb, 'PWD');
    assert.equal(entriesFor('XPWD')[0]?.verb, 'PWD');
    assert.equal(entriesFor('  xmkd  a b ')[0]?.verb, 'MKD');
  });

  test('joins a SITE or OPTS subcommand to the verb, and knows nothing of an unknown verb', () => {
    assert.deepEqual(entriesFor('SITE CPFR /a').map((entry) => entry.verb), ['SITE', 'SITE CPFR']);
    assert.deepEqual(entriesFor('site chmod 777 x').map((entry) => entry.verb), ['SITE']);
    assert.deepEqual(entriesFor('OPTS UTF8 ON').map((entry) => entry.verb), ['OPTS', 'OPTS UTF8']);
    assert.deepEqual(entriesFor('XYZZY'), []);
    assert.equal(listedReplies('XYZZY'), null);
    const cpto = listedReplies('SITE CPTO b');
    assert.ok(cpto && cpto.success.includes(250) && cpto.error.includes(503) && cpto.error.includes(530));
  });
});

describe('judgeReply', () => {
  test('sorts a reply into the role the table lists it in', () => {
    assert.equal(judgeReply('PWD', 257).kind, 'success');
    assert.equal(judgeReply('RETR a', 150).kind, 'preliminary');
    assert.equal(judgeReply('USER bob', 331).kind, 'intermediate');
    assert.equal(judgeReply('DELE a', 450).kind, 'refusal');
  });

  test('calls a code the table does not list unlisted, with its class', () => {
    const verdict = judgeReply('PWD', 530);
    assert.equal(verdict.kind, 'unlisted');
    assert.equal(verdict.listed, false);
    if (verdict.kind === 'unlisted') assert.equal(verdict.replyClass, 'permanent-negative');
  });

  test('accepts 500/502/421 for a command it does not know, and judges only the class of anything else', () => {
    assert.equal(judgeReply('XYZZY', 500).kind, 'refusal');
    assert.equal(judgeReply('XYZZY', 502).kind, 'refusal');
    const other = judgeReply('XYZZY', 200);
    assert.equal(other.kind, 'unknown-command');
  });
});
