// Interop smoke test of every peer: start it, drive it with Python's ftplib (a client
// nobody here wrote), check what it stored on disk, stop it, check nothing is left.
// Run: node --import tsx --test harness/src/peers/peers.test.ts (after scripts/install-peers.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { PEER_NAMES, PUBLIC_FILE, startPeer, type RunningPeer } from './peers.ts';
import { liveProcessGroupMembers } from './process-group.ts';
import { DEBIAN_PYTHON } from './recipes.ts';
import { requirePeer } from './require-peer.ts';

const PROBE = fileURLToPath(new URL('./ftplib-probe.py', import.meta.url));

interface ProbeReport {
  error?: string;
  greeting?: string;
  user_login?: string;
  user_pwd?: string;
  user_stor?: string;
  user_list_passive?: string[];
  user_nlst_passive?: string[];
  user_retr_passive_hex?: string;
  user_nlst_active?: string[];
  user_retr_active_hex?: string;
  user2_login?: string;
  user2_nlst?: string[];
  anonymous_login?: string;
  anonymous_nlst?: string[];
  anonymous_public_hex?: string;
  anonymous_stor?: string;
}

/** Bytes that a text-mode or lossy transfer would change: CR, LF, CRLF, NUL, high bytes. */
function uploadPayload(): Buffer {
  return Buffer.concat([Buffer.from('line one\r\nline two\nbare\rcr\0nul\xff\x80 end\r\n', 'latin1'), randomBytes(2048)]);
}

async function runProbe(peer: RunningPeer, upload: { name: string; bytes: Buffer }): Promise<ProbeReport> {
  const request = {
    host: peer.host,
    port: peer.port,
    user: peer.accounts.user,
    user2: peer.accounts.user2,
    anonymous: peer.accounts.anonymous,
    upload: { name: upload.name, hex: upload.bytes.toString('hex') },
    publicFile: { name: PUBLIC_FILE.name },
  };
  const result = await execa(DEBIAN_PYTHON, [PROBE], { input: JSON.stringify(request), reject: false, timeout: 30_000 });
  try {
    return JSON.parse(result.stdout) as ProbeReport;
  } catch {
    return { error: `probe printed no report (${result.message}): ${result.stderr}` };
  }
}

/** JSON.stringify replacer: hex dumps of whole files would bury the rest of a failure report. */
function shortenLongStrings(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.length > 160 ? `${value.slice(0, 80)}... (${value.length} chars)` : value;
}

const basename = (entry: string): string => entry.split('/').pop() ?? entry;

/**
 * How each peer refuses an anonymous upload: a 5xx, except nodeftpd, which has no
 * permissions of its own and answers every failed write (here the launcher's
 * read-only fs) with "426 Connection closed; transfer aborted".
 */
function anonymousStorRefusal(peer: RunningPeer): RegExp {
  return peer.name === 'nodeftpd' ? /^426 / : /^5\d\d/;
}

/** The checks on what the server answered and stored; throws an AssertionError on the first miss. */
function checkReport(peer: RunningPeer, report: ProbeReport, upload: { name: string; bytes: Buffer }): void {
  if (report.error) assert.fail(`ftplib probe failed: ${report.error}`);
  assert.match(report.greeting ?? '', /^220[ -]/, 'greeting');
  assert.match(report.user_login ?? '', /^230/, 'user login');
  assert.equal(report.user_pwd, '/', 'the user is jailed: its home is "/"');
  assert.match(report.user_stor ?? '', /^226/, 'STOR completes with 226');
  assert.ok(report.user_nlst_passive?.map(basename).includes(upload.name), 'NLST lists the upload');
  assert.ok(
    report.user_list_passive?.some((line) => line.includes(upload.name) && line.includes(String(upload.bytes.length))),
    'LIST shows the upload with its size',
  );
  assert.equal(report.user_retr_passive_hex, upload.bytes.toString('hex'), 'passive RETR returns the exact bytes');
  assert.ok(report.user_nlst_active?.map(basename).includes(upload.name), 'active-mode NLST lists the upload');
  assert.equal(report.user_retr_active_hex, upload.bytes.toString('hex'), 'active RETR returns the exact bytes');

  // The server really stored it in the user's jail inside the temp root.
  const onDisk = readFileSync(join(peer.root, 'home', peer.accounts.user.user, upload.name));
  assert.ok(onDisk.equals(upload.bytes), 'the stored file equals the upload byte for byte');

  assert.match(report.user2_login ?? '', /^230/, 'user2 login');
  assert.ok(!report.user2_nlst?.map(basename).includes(upload.name), 'user2 has its own jail and does not see the upload');

  assert.match(report.anonymous_login ?? '', /^230/, 'anonymous login');
  assert.ok(report.anonymous_nlst?.map(basename).includes(PUBLIC_FILE.name), 'anonymous sees the public folder');
  assert.equal(Buffer.from(report.anonymous_public_hex ?? '', 'hex').toString('utf8'), PUBLIC_FILE.content, 'anonymous downloads the public file');
  assert.match(report.anonymous_stor ?? '', anonymousStorRefusal(peer), 'anonymous upload is refused');
  assert.ok(!existsSync(join(peer.root, 'public', 'sneaky.txt')), 'nothing was written to the public folder');
}

for (const name of PEER_NAMES) {
  test(`${name}: log in, upload, list, download byte-exact (passive and active), anonymous read-only, stop`, async (t) => {
    if (!requirePeer(t, name)) return;
    const peer = await startPeer(name);
    const upload = { name: `upload-${name}.bin`, bytes: uploadPayload() };
    try {
      const report = await runProbe(peer, upload);
      try {
        checkReport(peer, report, upload);
      } catch (error) {
        // A failure shows the whole exchange and the server's side of it.
        if (error instanceof Error) error.message += `\nprobe report: ${JSON.stringify(report, shortenLongStrings, 1)}\npeer logs:\n${await peer.logs()}`;
        throw error;
      }
    } finally {
      await peer.stop();
    }

    assert.throws(() => process.kill(peer.pid, 0), { code: 'ESRCH' }, 'the server process is gone');
    assert.deepEqual(liveProcessGroupMembers(peer.pid), [], 'no process of its tree is left');
    assert.ok(!existsSync(peer.root), 'the temp root was removed');
    assert.match(await peer.logs(), /==> stderr\.log <==/, 'logs stay readable after stop');
  });
}

test('a peer that dies before stop() says how it ended; one stopped by stop() does not', async (t) => {
  if (!requirePeer(t, 'nodeftpd')) return;
  const dying = await startPeer('nodeftpd');
  try {
    assert.equal(dying.exitedEarly(), undefined, 'still running');
    process.kill(dying.pid, 'SIGKILL'); // as a crash would end it
    for (let waited = 0; dying.exitedEarly() === undefined && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(dying.exitedEarly(), 'signal SIGKILL');
  } finally {
    await dying.stop();
  }
  assert.equal(dying.exitedEarly(), 'signal SIGKILL', 'still known after stop()');

  const stopped = await startPeer('nodeftpd');
  await stopped.stop();
  assert.equal(stopped.exitedEarly(), undefined, 'ended by stop(), not on its own');
});
