/**
 * Every command in README.md's shell blocks runs as written. The commands are
 * read from README itself; each must have an entry in COMMANDS below, which
 * says how it is run (against the embedded target, with short durations) or
 * why it is skipped (it needs a server or files of the reader's own). A
 * command added to README without an entry fails the first test, so the list
 * cannot drift from README.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { requirePeer } from '../peers/require-peer.ts';

const REPO = process.cwd();

interface Runnable {
  /** Where it runs: the repository (it names repo files) or a scratch folder. */
  cwd: 'repo' | 'scratch';
  /** Text replaced before running: long durations made short, a fixed port made free, a reader's file left out. */
  shorten?: [string, string][];
  /** Exit codes that mean it worked (a threshold judged on a loaded machine may give 1). */
  exitCodes?: number[];
  /** A server: started, waited for until it listens, then stopped with SIGTERM. */
  serves?: boolean;
  /** A peer server the command needs; skipped (with the reason) when it is not installed. */
  peer?: 'vsftpd';
  /** Files the command reads, written into the scratch folder first. */
  files?: Record<string, string>;
  /** Commands run first in the same folder (for merge: the shard results). */
  before?: string[];
}

type Entry = Runnable | { skip: string };

const COMMANDS: Record<string, Entry> = {
  'npm ci && npx ftp-check run': { skip: 'the full run against the embedded ftp-ref is the first test of cli.e2e.test.ts' },
  'npm ci && npm test': { skip: 'it is this test suite (and the command CI runs)' },
  'npx ftp-check run --target 127.0.0.1:21 --user alice:secret --user2 bob:secret2 --junit --tap --json': { skip: 'needs your FTP server on 127.0.0.1:21 with those accounts' },
  // Without a profile of the reader's own, the same selection runs against the embedded target.
  "npx ftp-check run --profile my-server.yaml --suite jail --case 'jail.*-retr*'": { cwd: 'repo', shorten: [['--profile my-server.yaml ', '']] },
  'npx ftp-check run --list': { cwd: 'repo' },
  'npx ftp-check run --list --json --suite auth': { cwd: 'repo' },
  'npx ftp-check run --list-suites': { cwd: 'repo' },
  'npx ftp-check grade --rubric harness/rubrics/plain-ftp.yaml --target 127.0.0.1:2121': { skip: "needs a student's server running on 127.0.0.1:2121" },
  'npx ftp-check grade --rubric fixtures/class/rubric.yaml --submissions fixtures/class --jobs 2': { skip: 'grade.e2e.test.ts grades this class with this rubric and checks the gradebook; a second grading at the same time would trip its check that no graded process is left behind' },
  'npx ftp-check grade --rubric harness/rubrics/file-manager.yaml --submissions ./my-class --start "python3 server.py --port {port} --root {root}" --jobs 2': {
    skip: "./my-class stands for your class's folder of servers",
  },
  'npx ftp-check stress --clients 50 --duration 20s': { cwd: 'scratch', shorten: [['--duration 20s', '--duration 1s']] },
  "npx ftp-check stress --target 10.0.0.5:21 --user alice:pw --scenario download --file-size 16MiB --rate 200 --duration 60s --ramp 10s --warmup 5s --threshold 'p99<250ms' --threshold 'errors==0'": {
    skip: 'needs your server at 10.0.0.5:21',
  },
  'npx ftp-check stress --profile lab.yaml --users 200 --clients 200 --scenario login --json out.json': { skip: 'needs your server and its profile lab.yaml (with an admin for --users)' },
  "npx ftp-check merge shard-*.json --threshold 'login.p99<100ms'": {
    cwd: 'scratch',
    before: ['npx ftp-check stress --scenario login --clients 4 --duration 1s --shard 1/2 --json shard-1.json', 'npx ftp-check stress --scenario login --clients 4 --duration 1s --shard 2/2 --json shard-2.json'],
    exitCodes: [0, 1],
  },
  'node --import tsx scripts/peer-stress.ts vsftpd --clients 50 --duration 20s': { cwd: 'repo', peer: 'vsftpd', shorten: [['--duration 20s', '--duration 1s']] },
  // Interactive on a terminal; here stdin is a pipe that never ends, so it gets no commands (shell/interactive.test.ts drives a terminal).
  'npx ftp-check shell': { cwd: 'scratch', shorten: [['npx ftp-check shell', 'npx ftp-check shell < /dev/null']] },
  'npx ftp-check shell --target 127.0.0.1:21 --user alice:secret --transcript': { skip: 'needs your FTP server on 127.0.0.1:21 with that account' },
  'npx ftp-check shell --script session.txt': { cwd: 'scratch', files: { 'session.txt': 'mkdir docs\ncd docs\npwd\nls -l\nquota\n' } },
  'npx ftp-ref user add alice --password secret': { cwd: 'scratch' },
  'npx ftp-ref --port 2121 --data ./ftp-ref-data': { cwd: 'scratch', serves: true, shorten: [['--port 2121', '--port 0']] },
  'npx ftp-ref --config ftp-ref.yaml --registration': { cwd: 'scratch', serves: true, files: { 'ftp-ref.yaml': 'port: 0\ndata: ./ftp-ref-data\n' } },
  'npx ftp-ref user list': { cwd: 'scratch' },
  'npx ftp-ref user passwd alice --password new-secret': { cwd: 'scratch' },
  'npx ftp-ref user del alice': { cwd: 'scratch' },
};

/** The commands of README's ```sh blocks: continuation lines joined, trailing comments dropped. */
export function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const joined = (block[1] ?? '').replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) commands.push(command);
    }
  }
  return commands;
}

/** README says `npx`; here the commands of this checkout run, from any folder. */
function asRun(command: string, entry: Runnable): string {
  let text = command;
  for (const [from, to] of entry.shorten ?? []) text = text.replace(from, to);
  return text
    .replaceAll('npx ftp-check ', `"${process.execPath}" "${join(REPO, 'bin/ftp-check.js')}" `)
    .replaceAll('npx ftp-ref ', `"${process.execPath}" "${join(REPO, 'bin/ftp-ref.js')}" `);
}

const shell = (text: string, cwd: string): ResultPromise<{ reject: false; timeout: number; all: true; env: { NO_COLOR: string } }> =>
  execa('bash', ['-c', text], { cwd, reject: false, timeout: 240_000, all: true, env: { NO_COLOR: '1' } });

test('every README shell command has an entry saying how it runs or why it is skipped', async () => {
  const commands = readmeCommands(await readFile(join(REPO, 'README.md'), 'utf8'));
  assert.ok(commands.length >= 10, `found only ${commands.length} commands`);
  const missing = commands.filter((command) => !(command in COMMANDS));
  assert.deepEqual(missing, [], 'README commands with no entry in COMMANDS');
  const stale = Object.keys(COMMANDS).filter((command) => !commands.includes(command));
  assert.deepEqual(stale, [], 'entries for commands README no longer has');
});

test('README commands run as written against the embedded target', { timeout: 900_000 }, async (t) => {
  const scratch = await temporaryFolder(t, 'ftp-check-readme-');
  for (const [command, entry] of Object.entries(COMMANDS)) {
    await t.test(command, async (sub) => {
      if ('skip' in entry) return sub.skip(entry.skip);
      if (entry.peer && !requirePeer(sub, entry.peer)) return;
      const cwd = entry.cwd === 'repo' ? REPO : scratch;
      for (const [name, content] of Object.entries(entry.files ?? {})) await writeFile(join(scratch, name), content);
      for (const first of entry.before ?? []) {
        const result = await shell(asRun(first, { cwd: entry.cwd }), cwd);
        assert.equal(result.exitCode, 0, `${first}\n${result.all}`);
      }
      if (entry.serves) return serveThenStop(asRun(command, entry), cwd);
      const result = await shell(asRun(command, entry), cwd);
      assert.ok((entry.exitCodes ?? [0]).includes(result.exitCode ?? -1), `exit ${result.exitCode}:\n${String(result.all).slice(-3000)}`);
      assert.doesNotMatch(String(result.all), /internal error|Error: |at .*\.ts:\d+/);
    });
  }
});

/** Starts a server command, waits for its "listening" line, stops it with SIGTERM, and expects it to end by it. */
async function serveThenStop(text: string, cwd: string): Promise<void> {
  const server = execa('bash', ['-c', `exec ${text}`], { cwd, reject: false, timeout: 60_000, all: true });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    server.all?.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (/listening on 127\.0\.0\.1:\d+/.test(output)) resolve();
    });
    void server.then(() => reject(new Error(`the server ended before listening:\n${output}`)));
  });
  server.kill('SIGTERM');
  const result = await server;
  // ftp-ref prints its listening line just before it installs its SIGTERM handler,
  // so a signal sent at once may still find the default action (ended by SIGTERM).
  assert.ok(result.exitCode === 0 || result.signal === 'SIGTERM', `after SIGTERM: exit ${result.exitCode}, signal ${result.signal}\n${output}`);
}

test(".ci/run installs the packages before the peers, then runs README's test command", async () => {
  const ci = (await readFile(join(REPO, '.ci/run'), 'utf8')).split('\n').filter((line) => line && !line.startsWith('#'));
  const readmeTest = readmeCommands(await readFile(join(REPO, 'README.md'), 'utf8')).find((command) => command.endsWith('npm test'));
  assert.equal(readmeTest, 'npm ci && npm test');
  const packages = ci.indexOf('npm ci');
  const peers = ci.indexOf('bash scripts/install-peers.sh');
  assert.ok(packages >= 0 && peers > packages, 'npm ci comes before the peer install (it checks node_modules/ftp-srv)');
  assert.equal(ci[ci.length - 1], readmeTest, "the last step is README's test command, exactly");
});
