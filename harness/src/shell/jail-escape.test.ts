/**
 * Against fixtures/class/jail-escape, the classic student bug (a pyftpdlib
 * server that joins the client's path to the user's folder unconfined): the
 * shell says so the moment the host's files show, with exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { requirePeer } from '../peers/require-peer.ts';
import { freePort } from '../peers/ports.ts';
import { runShell } from './testing/run-shell.ts';

const SERVER = resolve(import.meta.dirname, '../../../fixtures/class/jail-escape/server.py');
/** Debian's python has pyftpdlib (harness/src/peers/recipes.ts). */
const PYTHON = '/usr/bin/python3';

/** Resolves once the port accepts a connection; bounded by its attempts. */
async function listening(port: number, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const up = await new Promise<boolean>((done) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (up) return;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`the jail-escape server never listened on ${port}`);
}

test('fixtures/class/jail-escape: /etc/passwd downloaded and the host root listed give WARNINGs, exit 1', { timeout: 60_000 }, async (t) => {
  if (!requirePeer(t, 'pyftpdlib')) return;
  const root = await temporaryFolder(t, 'shell-jail-escape-');
  await writeFile(join(root, 'users.txt'), 'alice:secret\n');
  await mkdir(join(root, 'public'));
  const port = await freePort('127.0.0.1');
  const server = execa(PYTHON, [SERVER, String(port), root], { reject: false, timeout: 60_000 });
  t.after(async () => {
    server.kill('SIGKILL');
    await server;
  });
  await listening(port);
  const deep = '../'.repeat(12);
  const result = await runShell({ target: `127.0.0.1:${port}`, user: 'alice:secret' }, [`get ${deep}etc/passwd ${join(root, 'passwd.txt')}`, `ls ${deep}`]);
  assert.match(result.warnings.join('\n'), /the data of RETR \S+etc\/passwd holds the host's \/etc\/passwd .*CWE-22/, result.output);
  assert.match(result.warnings.join('\n'), /the LIST listing is the host's root folder .*CWE-22/, result.output);
  assert.equal(result.code, 1);
});
