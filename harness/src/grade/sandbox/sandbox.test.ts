import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bwrapArgs, encodeArgs, INSIDE } from './bwrap-args.ts';
import { sandboxSupport, throwAwayUid, type SupportProbe } from './support.ts';
import { detectCgroups } from './cgroup.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '../../../../reference-server/test/temporary-folder.ts';

const VIEW = {
  submission: '/tmp/copy-1',
  root: '/tmp/root-1',
  shares: [{ from: '/repo/dist', name: 'ftp-ref' }],
  system: [{ path: '/usr', kind: 'dir' as const }, { path: '/bin', kind: 'symlink' as const, target: 'usr/bin' }],
  uid: 1_600_000_123,
  env: { PORT: '2121' },
  command: ['python3', 'server.py'],
};

test('the sandbox view: namespaces, read-only system, own folders, no capabilities, a throw-away uid', () => {
  const { options, command } = bwrapArgs(VIEW);
  for (const flag of ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session', '--clearenv']) assert.ok(options.includes(flag), flag);
  assert.ok(!options.includes('--unshare-net'), 'the network namespace is the worker\'s, made before (sandbox/worker.ts)');
  const pairs = options.map((arg, i) => `${arg} ${options[i + 1]} ${options[i + 2]}`);
  assert.ok(pairs.includes('--ro-bind /usr /usr'));
  assert.ok(pairs.includes('--symlink usr/bin /bin'));
  assert.ok(pairs.includes(`--bind /tmp/copy-1 ${INSIDE.submission}`));
  assert.ok(pairs.includes(`--bind /tmp/root-1 ${INSIDE.root}`));
  assert.ok(pairs.includes('--ro-bind /repo/dist /opt/share/ftp-ref'));
  assert.ok(pairs.includes('--setenv PORT 2121'));
  assert.ok(!options.some((arg) => arg === '/' || arg.startsWith('/work') || arg === '/home' || arg === '/root'), 'nothing of the grader is bound');
  assert.deepEqual(command.slice(0, 9), ['setpriv', '--reuid=1600000123', '--regid=1600000123', '--clear-groups', '--no-new-privs', '--bounding-set', '-all', '--inh-caps', '-all']);
  assert.deepEqual(command.slice(-3), ['--', 'python3', 'server.py']);
  assert.equal(encodeArgs(['a', 'b c']), 'a\0b c\0');
  const uid = throwAwayUid();
  assert.ok(uid >= 1_500_000_000 && uid < 2_000_000_000);
});

test('sandbox support names what is missing', async () => {
  const probe = (over: Partial<SupportProbe>): SupportProbe => ({
    platform: 'linux',
    uid: 0,
    findTool: (name) => `/usr/bin/${name}`,
    detectCgroups: async () => ({ version: 2, root: '/sys/fs/cgroup' }),
    trial: async () => {},
    ...over,
  });
  assert.match((await sandboxSupport(probe({ uid: 1000 })) as { problem: string }).problem, /needs root/);
  assert.match((await sandboxSupport(probe({ platform: 'darwin' })) as { problem: string }).problem, /needs Linux/);
  assert.match((await sandboxSupport(probe({ findTool: (name) => (name === 'bwrap' ? null : `/usr/bin/${name}`) })) as { problem: string }).problem, /apt-get install bubblewrap/);
  assert.match((await sandboxSupport(probe({ detectCgroups: async () => ({ problem: 'no cgroup v2 with memory' }) })) as { problem: string }).problem, /no cgroup v2/);
  assert.match((await sandboxSupport(probe({ trial: async () => { throw new Error('EROFS'); } })) as { problem: string }).problem, /cannot make a control group for a submission \(EROFS\)/);
  assert.deepEqual(await sandboxSupport(probe({})), { layout: { version: 2, root: '/sys/fs/cgroup' }, bwrap: '/usr/bin/bwrap' });
});

test('cgroup layouts: v2 needs memory and pids; v1 needs both hierarchies', async (t) => {
  const v2 = await temporaryFolder(t, 'cgroup-v2-');
  await writeFile(join(v2, 'cgroup.controllers'), 'cpu io memory pids\n');
  assert.deepEqual(await detectCgroups(v2), { version: 2, root: v2 });
  await writeFile(join(v2, 'cgroup.controllers'), 'cpu io\n');
  assert.match((await detectCgroups(v2) as { problem: string }).problem, /lacks the memory and pids controller/);
  const v1 = await temporaryFolder(t, 'cgroup-v1-');
  await mkdir(join(v1, 'memory'));
  await writeFile(join(v1, 'memory', 'memory.limit_in_bytes'), '');
  assert.match((await detectCgroups(v1) as { problem: string }).problem, /no cgroup v2/);
  await mkdir(join(v1, 'pids'));
  await writeFile(join(v1, 'pids', 'cgroup.procs'), '');
  assert.deepEqual(await detectCgroups(v1), { version: 1, memory: join(v1, 'memory'), pids: join(v1, 'pids') });
});
