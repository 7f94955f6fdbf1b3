/**
 * The package as npm delivers it: `npm pack` (its prepack builds the bundles),
 * the tarball installed into an empty folder, both commands run from there.
 * The pack runs in a copy of the repository so that rebuilding dist/ cannot
 * pull the bundles from under the other tests running at the same time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, symlink, writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';

const REPO = process.cwd();
/** What `npm pack` needs to build: the sources and the build scripts, not the outputs or the peers. */
const LEFT_OUT = new Set(['node_modules', 'dist', '.git', '.peers', 'reports']);

interface PackedFile {
  path: string;
}

test('npm pack ships what a user runs; the installed commands work', { timeout: 600_000 }, async (t) => {
  const work = await temporaryFolder(t, 'ftp-check-pack-');
  const source = join(work, 'source');
  await cp(REPO, source, { recursive: true, filter: (path) => !LEFT_OUT.has(relative(REPO, path).split('/')[0] ?? '') });
  await symlink(join(REPO, 'node_modules'), join(source, 'node_modules'));

  const pack = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: source, reject: false, timeout: 300_000 });
  assert.equal(pack.exitCode, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: PackedFile[] }[];
  assert.ok(packed);
  const files = packed.files.map((file) => file.path);
  for (const needed of ['bin/ftp-check.js', 'bin/ftp-ref.js', 'dist/ftp-check.mjs', 'dist/ftp-ref.mjs', 'package.json', 'README.md']) {
    assert.ok(files.includes(needed), `${needed} is shipped`);
  }
  assert.ok(files.some((file) => /^specs\/rfc959\/.*\.yaml$/.test(file)), 'the specs are shipped');
  // Sources (tests among them) run only from a clone; the bundles carry what the commands need.
  const unwanted = files.filter((file) => /\.ts$|^\.ci\/|^fixtures\/|^scripts\/|\.map$|^reports\//.test(file));
  assert.deepEqual(unwanted, [], 'no tests, CI scripts, fixtures, sources or source maps in the package');

  const app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  const install = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: app, reject: false, timeout: 300_000 });
  assert.equal(install.exitCode, 0, install.stderr);
  const installed = JSON.parse(await readFile(join(app, 'node_modules', 'ftp-check', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.ok(!('tsx' in installed.dependencies) && !('esbuild' in installed.dependencies), 'no TypeScript loader or bundler at run time');

  const npx = (args: string[]) => execa('npx', ['--no-install', ...args], { cwd: app, reject: false, timeout: 120_000, env: { NO_COLOR: '1' } });
  const help = await npx(['ftp-ref', '--help']);
  assert.equal(help.exitCode, 0, help.stderr);
  assert.match(help.stdout, /reference FTP server/);
  const run = await npx(['ftp-check', 'run', '--suite', 'admin']);
  assert.equal(run.exitCode, 0, `${run.stdout.slice(-2000)}\n${run.stderr}`);
  assert.match(run.stdout, /^\d+ passed, 0 failed, 0 skipped$/m);
});
