/**
 * The jail under a local attacker who races it: while sessions work on
 * `/box/...`, a process swaps the folder `box` with `swap`, a symlink to a
 * folder outside the home, with renameat2(RENAME_EXCHANGE) in a tight loop
 * (python3 through ctypes). A jail that checks a path and then acts on it by
 * name acts, now and then, through the symlink. What must hold: no byte read
 * from or written to a file outside the root, no entry created, deleted,
 * renamed or listed outside it. Each command family runs in its own session,
 * all at once, for a bounded window; then every family's breaches are counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { collect, connectData, ControlClient } from '../../test/control-client.ts';
import { SYSTEM_PYTHON } from '../../test/extension-kit.ts';

/** How long the sessions work while the names are swapped. */
const WINDOW_MS = 1500;
/** Names prepared for the families that use one up per command. */
const PREPARED = 2000;

const INSIDE_TEXT = 'inside\n';
const OUTSIDE_TEXT = 'OUTSIDE-SECRET-CONTENT, never to be served\n';
const OUTSIDE_ONLY = 'outside-only-entry.txt';

/** Swaps two names atomically until the deadline, then leaves the first one a folder again. */
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b, seconds = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), float(sys.argv[3])
def exchange():
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit('renameat2: ' + os.strerror(ctypes.get_errno()))
print('ready', flush=True)
count, end = 0, time.monotonic() + seconds
while time.monotonic() < end:
    exchange()
    count += 1
    if count % 16 == 0:
        time.sleep(0.0002)  # leaves the server some CPU on a small machine
if os.path.islink(a):
    exchange()
print(count, flush=True)
`;

interface Breaches {
  commands: number;
  /** Commands that did their work (inside: the box was a folder at that moment). */
  done: number;
  outsideReads: number;
}

/** What one command did: its work, a read from outside, or nothing (refused). */
type Verdict = 'done' | 'outside' | 'refused';

let server: TempServer;
let home: string;
let outside: string;
let outsideBefore: Map<string, string>;
let outsideAfter: Map<string, string>;
let swaps = 0;
const results = new Map<string, Breaches>();
const clients: ControlClient[] = [];
let swapper: ChildProcess | null = null;

/** Every entry below a folder by its path there, with the content of each file (`<dir>` for a folder). */
async function snapshot(folder: string, prefix = '', entries = new Map<string, string>()): Promise<Map<string, string>> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = prefix + entry.name;
    entries.set(path, entry.isDirectory() ? '<dir>' : await readFile(join(folder, entry.name), 'utf8'));
    if (entry.isDirectory()) await snapshot(join(folder, entry.name), `${path}/`, entries);
  }
  return entries;
}

/** A data command over PASV that may be refused: its body when it ran, null otherwise. */
async function dataCommand(client: ControlClient, line: string, upload?: Buffer): Promise<Buffer | null> {
  const data = await connectData(await client.pasv());
  const body = collect(data).catch(() => Buffer.alloc(0));
  const first = await client.command(line);
  if (first.code !== 150) {
    data.destroy();
    return null;
  }
  if (upload) data.end(upload);
  const bytes = await body;
  const last = await client.read();
  return last.code === 226 ? bytes : null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A read's verdict: refused (null), outside (it shows what only outside holds), or done. */
function judged(shown: string | null, outsideMark: string): Verdict {
  if (shown === null) return 'refused';
  return shown.includes(outsideMark) ? 'outside' : 'done';
}

const doneOn = (code: number) => (reply: { code: number }): Verdict => (reply.code === code ? 'done' : 'refused');

type Step = (client: ControlClient, i: number) => Promise<Verdict>;

/** One family: `step(i)` runs the i-th command until the deadline. */
async function hammer(client: ControlClient, name: string, deadline: number, step: Step): Promise<void> {
  const tally: Breaches = { commands: 0, done: 0, outsideReads: 0 };
  results.set(name, tally);
  for (let i = 0; Date.now() < deadline && i < PREPARED; i++) {
    const verdict = await step(client, i);
    if (verdict === 'outside') tally.outsideReads += 1;
    if (verdict === 'done') tally.done += 1;
    tally.commands += 1;
  }
}

/** Runs the swapper for one window: `ready` once it swaps, `count` (of swaps) once it has stopped. */
function startSwapper(folder: string, link: string): { ready: Promise<void>; count: Promise<number> } {
  const child = spawn(SYSTEM_PYTHON, ['-c', SWAPPER, folder, link, String(WINDOW_MS / 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
  swapper = child;
  let output = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (output.startsWith('ready')) resolve();
    });
  });
  const count = once(child, 'exit').then(([code]) => {
    swapper = null;
    if (code !== 0) throw new Error(`the swapper failed (${String(code)}): ${output}`);
    return Number(output.trim().split('\n').at(-1));
  });
  return { ready, count };
}

before(async () => {
  server = await startTempServer();
  home = join(server.dataDir, 'storage', 'alice');
  outside = join(server.dataDir, 'outside');
  const box = join(home, 'box');
  await mkdir(box, { recursive: true });
  await mkdir(outside);
  await writeFile(join(home, 'mine.txt'), INSIDE_TEXT);
  for (const folder of [box, outside]) {
    await writeFile(join(folder, 'file.txt'), folder === box ? INSIDE_TEXT : OUTSIDE_TEXT);
    await mkdir(join(folder, 'v'));
    await mkdir(join(folder, 'r'));
    for (let i = 0; i < PREPARED; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => i + j);
      await Promise.all(batch.flatMap((n) => [writeFile(join(folder, 'v', `victim-${n}`), 'v'), writeFile(join(folder, 'r', `rename-${n}`), 'r')]));
    }
  }
  await writeFile(join(outside, OUTSIDE_ONLY), OUTSIDE_TEXT);
  await symlink(outside, join(home, 'swap'));
  outsideBefore = await snapshot(outside);
  const client = await ControlClient.open(server.port, { user: 'alice', password: 'alice-pw' });
  clients.push(client);
  const outsideSize = String(Buffer.byteLength(OUTSIDE_TEXT));
  const outsideHash = sha256(OUTSIDE_TEXT);
  const controlRead = async (c: ControlClient, line: string, code: number, mark: string) => {
    const reply = await c.command(line);
    return judged(reply.code === code ? reply.lines.join('\n') : null, mark);
  };
  const families: [name: string, step: Step][] = [
    ['RETR', async (c) => judged((await dataCommand(c, 'RETR box/file.txt'))?.toString() ?? null, OUTSIDE_TEXT)],
    ['SIZE', async (c) => controlRead(c, 'SIZE box/file.txt', 213, `213 ${outsideSize}`)],
    ['HASH', async (c) => controlRead(c, 'HASH box/file.txt', 213, outsideHash)],
    ['LIST', async (c) => judged((await dataCommand(c, 'LIST box'))?.toString() ?? null, OUTSIDE_ONLY)],
    ['MLSD', async (c) => judged((await dataCommand(c, 'MLSD box'))?.toString() ?? null, OUTSIDE_ONLY)],
    ['STAT', async (c) => controlRead(c, 'STAT box', 212, OUTSIDE_ONLY)],
    ['STOR', async (c, i) => ((await dataCommand(c, `STOR box/stored-${i}`, Buffer.from(INSIDE_TEXT))) === null ? 'refused' : 'done')],
    ['MKD', async (c, i) => doneOn(257)(await c.command(`MKD box/made-${i}`))],
    ['DELE', async (c, i) => doneOn(250)(await c.command(`DELE box/v/victim-${i}`))],
    [
      'RNFR/RNTO',
      async (c, i) => {
        if ((await c.command(`RNFR box/r/rename-${i}`)).code !== 350) return 'refused';
        return doneOn(250)(await c.command(`RNTO box/r/renamed-${i}`));
      },
    ],
    [
      'CPFR/CPTO',
      async (c, i) => {
        // Even steps copy out of the box (a read), odd ones into it (a write).
        const into = i % 2 === 1;
        if ((await c.command(into ? 'SITE CPFR /mine.txt' : 'SITE CPFR box/file.txt')).code !== 350) return 'refused';
        if ((await c.command(into ? `SITE CPTO box/copied-${i}` : `SITE CPTO /copy-${i}`)).code !== 250) return 'refused';
        return into ? 'done' : judged(await readFile(join(home, `copy-${i}`), 'utf8'), OUTSIDE_TEXT);
      },
    ],
  ];
  for (const [name, step] of families) {
    const swapped = startSwapper(box, join(home, 'swap'));
    await swapped.ready;
    await hammer(client, name, Date.now() + WINDOW_MS, step);
    swaps += await swapped.count;
  }
  outsideAfter = await snapshot(outside);
});

after(async () => {
  if (swapper?.pid !== undefined) process.kill(swapper.pid);
  for (const client of clients) client.close();
  await server?.stop();
});

/** Names outside that a family's commands created, or that it removed. */
function outsideChanges(prefix: string): { created: number; removed: number; changed: number } {
  let created = 0;
  let removed = 0;
  let changed = 0;
  for (const [name, content] of outsideAfter) {
    if (!name.startsWith(prefix)) continue;
    if (!outsideBefore.has(name)) created += 1;
    else if (outsideBefore.get(name) !== content) changed += 1;
  }
  for (const name of outsideBefore.keys()) if (name.startsWith(prefix) && !outsideAfter.has(name)) removed += 1;
  return { created, removed, changed };
}

function report(family: string, detail: object): string {
  return `${family}: ${JSON.stringify({ ...results.get(family), ...detail })} in ${WINDOW_MS} ms, ${swaps} swaps`;
}

describe(`a folder swapped with a symlink to outside, ${WINDOW_MS} ms, renameat2(RENAME_EXCHANGE)`, () => {
  it('the swapper really swapped, and every family ran commands', () => {
    assert.ok(swaps > 1000, `only ${swaps} swaps`);
    // A jail that refused everything would pass the rest; each family must also have done its work.
    for (const [family, tally] of results) assert.ok(tally.commands > 10 && tally.done > 0, report(family, {}));
  });

  for (const family of ['RETR', 'SIZE', 'HASH', 'LIST', 'MLSD', 'STAT', 'CPFR/CPTO']) {
    it(`${family} never reads from outside the root`, () => {
      assert.equal(results.get(family)?.outsideReads, 0, report(family, {}));
    });
  }

  const writers: [family: string, prefix: string][] = [
    ['STOR', 'stored-'],
    ['MKD', 'made-'],
    ['DELE', 'v/'],
    ['RNFR/RNTO', 'r/'],
    ['CPFR/CPTO', 'copied-'],
  ];
  for (const [family, prefix] of writers) {
    it(`${family} never creates, deletes or renames anything outside the root`, () => {
      const changes = outsideChanges(prefix);
      assert.deepEqual(changes, { created: 0, removed: 0, changed: 0 }, report(family, changes));
    });
  }

  it('the folder outside holds exactly what it held before', async () => {
    const differences = [...new Set([...outsideBefore.keys(), ...outsideAfter.keys()])].filter((name) => outsideBefore.get(name) !== outsideAfter.get(name));
    assert.deepEqual(differences.slice(0, 20), [], `${differences.length} entries outside differ`);
    assert.ok((await lstat(join(home, 'swap'))).isSymbolicLink());
  });
});
