/**
 * STARTTLS command injection (CVE-2011-0411 class; RFC 4217 §15 and §4): lines
 * sent in plaintext behind AUTH TLS, in the same packet, must not run inside
 * the TLS session. A man in the middle can append them, but cannot see or
 * change what follows the handshake, so the server must forget everything
 * buffered before it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { withTimeout } from '../test/control-client.ts';

/** Reads CRLF-terminated reply lines from a stream as they come. */
function replyLines(stream: NodeJS.ReadableStream): () => Promise<string> {
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  const ready: string[] = [];
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else ready.push(line);
    }
  });
  return () => withTimeout(ready.length > 0 ? Promise.resolve(ready.shift() as string) : new Promise<string>((resolve) => waiting.push(resolve)), 5000, 'a reply line');
}

for (const requireTls of [false, true]) {
  describe(`plaintext pipelined behind AUTH TLS is never executed (requireTls ${requireTls})`, () => {
    let server: TempServer;
    before(async () => {
      server = await startTempServer({ settings: { requireTls } });
    });
    after(() => server.stop());

    test('USER, PASS and MKD in the AUTH TLS packet get no reply and change nothing', async () => {
      const plain = connectTcp({ host: '127.0.0.1', port: server.port });
      await once(plain, 'connect');
      const readPlain = replyLines(plain);
      assert.match(await readPlain(), /^220 /);
      // What a man in the middle appends to the client's AUTH TLS.
      plain.write('AUTH TLS\r\nUSER alice\r\nPASS alice-pw\r\nMKD injected\r\n');
      assert.match(await readPlain(), /^234 /);
      plain.removeAllListeners('data');
      const secure = connectTls({ socket: plain, rejectUnauthorized: false });
      await withTimeout(once(secure, 'secureConnect'), 5000, 'the TLS handshake');
      const readSecure = replyLines(secure);
      secure.write('PWD\r\n');
      const first = await readSecure();
      secure.destroy();
      assert.match(first, /^530 /, `the first reply inside TLS must answer PWD (530, not logged in); got "${first}"`);
      assert.equal(existsSync(join(server.dataDir, 'storage', 'alice', 'injected')), false, 'MKD sent in plaintext created a folder');
    });
  });
}
