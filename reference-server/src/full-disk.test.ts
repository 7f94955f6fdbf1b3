/**
 * ftp-ref on a full filesystem: the real program (bin/ftp-ref.js) with its
 * data folder on a small tmpfs, filled up before it starts. It must start,
 * keep greeting and serving reads connection after connection, answer 452 to
 * writes, say once on stderr per log that it drops lines, stop on SIGTERM,
 * and start again on the full disk. The tmpfs is mounted in a private mount
 * namespace (unshare -m), so this needs root; elsewhere it is skipped with
 * the reason, and in CI (CI=true) it must run.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { ControlClient, collect } from '../test/control-client.ts';
import { findTool } from '../test/require-tool.ts';
import { waitFor } from '../test/extension-kit.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONNECTIONS = 30;

/** Runs inside the namespace: mount, an account, a public file, fill the disk, then ftp-ref twice (the second start on the full disk). */
const SCRIPT = `
set -e
D=$1
mount -t tmpfs -o size=4m ftp-ref-full "$D"
node bin/ftp-ref.js user add alice --password alice-pw --data "$D" >/dev/null
mkdir -p "$D/public"
printf 'hello\\n' > "$D/public/hello.txt"
dd if=/dev/zero of="$D/filler" bs=64k 2>/dev/null || true
echo "disk $(df -k "$D" | awk 'NR==2 {print $4}') KiB free"
for run in 1 2; do
  node bin/ftp-ref.js --data "$D" --port 0 --log-level debug &
  echo "pid $!"
  wait $! || echo "exit $?"
done
`;

function canMountTmpfs(t: TestContext): boolean {
  const reason = process.getuid?.() !== 0 ? 'needs root (a tmpfs mount in a private mount namespace)' : !findTool('unshare') ? 'needs unshare (util-linux)' : null;
  if (reason === null) return true;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI must run the full-disk test`);
  t.skip(reason);
  return false;
}

const children: ResultPromise[] = [];
const folders: string[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.allSettled(children);
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

/** One session: greeting, anonymous RETR of hello.txt, then alice's STOR; returns the STOR's final code. */
async function oneSession(port: number): Promise<number> {
  const client = await ControlClient.open(port);
  try {
    await client.login('anonymous', 'guest@example.com');
    await client.expect('TYPE I', 200);
    const data = await client.openPassive();
    const body = collect(data);
    await client.expect('RETR hello.txt', 150);
    assert.equal((await body).toString(), 'hello\n');
    await client.expectReply(226);
    await client.login('alice', 'alice-pw');
    const upload = await client.openPassive();
    client.send('STOR new.bin');
    const first = await client.read();
    if (first.code !== 150) return first.code;
    upload.end(Buffer.alloc(256 * 1024, 0x78));
    return (await client.read()).code;
  } finally {
    client.close();
  }
}

test('on a full disk ftp-ref starts, greets and serves reads connection after connection, answers 452 to writes, and starts again', { timeout: 180_000 }, async (t) => {
  if (!canMountTmpfs(t)) return;
  const mountPoint = await mkdtemp(join(tmpdir(), 'ftp-ref-full-'));
  folders.push(mountPoint);
  const child = execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sh', mountPoint], { cwd: REPO_ROOT, reject: false, stdin: 'ignore', buffer: false });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const shown = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  const runs = () => [...stdout.matchAll(/^pid (\d+)$/gm)].map((match) => Number(match[1]));
  const ports = () => [...stdout.matchAll(/listening on 127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));

  const port = await waitFor(() => ports()[0], 60_000, 'the first start').catch((error: Error) => assert.fail(`${error.message}\n${shown()}`));
  assert.match(stdout, /^disk \d+ KiB free$/m);
  assert.ok(Number(/^disk (\d+) KiB free$/m.exec(stdout)?.[1]) < 64, `the disk is full before the start\n${shown()}`);

  const storCodes: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    storCodes.push(await oneSession(port).catch((error: Error) => assert.fail(`connection ${i + 1} of ${CONNECTIONS}: ${error.message}\n${shown()}`)));
  }
  assert.deepEqual([...new Set(storCodes)], [452], `every STOR on the full disk is answered 452\n${shown()}`);

  const warnings = stderr.split('\n').filter((line) => /cannot write/.test(line));
  assert.ok(warnings.length > 0, `a log that cannot be written is reported on stderr\n${shown()}`);
  const perFile = new Map<string, number>();
  for (const line of warnings) {
    const file = /cannot write (\S+)/.exec(line)?.[1] ?? line;
    perFile.set(file, (perFile.get(file) ?? 0) + 1);
  }
  assert.deepEqual([...perFile.values()].filter((count) => count > 1), [], `each log's failure is reported once\n${warnings.join('\n')}`);

  // SIGTERM: the first run stops (its logs cannot be flushed) and the second starts on the full disk.
  process.kill(runs()[0] as number, 'SIGTERM');
  const second = await waitFor(() => ports()[1], 60_000, 'the second start').catch((error: Error) => assert.fail(`${error.message}\n${shown()}`));
  assert.equal(await oneSession(second), 452);
  process.kill(runs()[1] as number, 'SIGTERM');
  const result = await Promise.race([child, new Promise<null>((done) => setTimeout(() => done(null), 30_000))]);
  assert.ok(result !== null, `the second run stops on SIGTERM\n${shown()}`);
});
