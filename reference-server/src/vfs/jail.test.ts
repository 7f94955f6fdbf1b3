import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { Jail, OutsideJailError, type JailPath } from './jail.ts';
import { VIRTUAL_ROOT, type VirtualPath } from './virtual-path.ts';

const v = (path: string) => path as VirtualPath;

/**
 * A temp tree:
 *   base/root/            the jail
 *     file.txt, dir/inner.txt
 *     link-in -> dir, link-file -> file.txt, dir/up-in -> ..   (inside: allowed)
 *     link-out -> base/outside, link-out-rel -> ../outside, link-sibling -> base/rootx,
 *     dir/up-out -> ../.., link-file-out -> base/outside/secret.txt  (outside: refused)
 *     dangling -> base/root/nowhere, dangling-out -> /nonexistent/zz, loop -> loop (refused)
 *   base/outside/secret.txt, base/rootx/ (a sibling whose name starts with the root's)
 */
let base: string;
let root: string;
let jail: Jail;

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'ftp-ref-jail-')));
  root = join(base, 'root');
  await mkdir(join(root, 'dir'), { recursive: true });
  await mkdir(join(base, 'outside'));
  await mkdir(join(base, 'rootx'));
  await writeFile(join(root, 'file.txt'), 'inside');
  await writeFile(join(root, 'dir', 'inner.txt'), 'inner');
  await writeFile(join(base, 'outside', 'secret.txt'), 'secret');
  await symlink(join(root, 'dir'), join(root, 'link-in'));
  await symlink('file.txt', join(root, 'link-file'));
  await symlink('..', join(root, 'dir', 'up-in'));
  await symlink(join(base, 'outside'), join(root, 'link-out'));
  await symlink('../outside', join(root, 'link-out-rel'));
  await symlink(join(base, 'rootx'), join(root, 'link-sibling'));
  await symlink('../..', join(root, 'dir', 'up-out'));
  await symlink(join(base, 'outside', 'secret.txt'), join(root, 'link-file-out'));
  await symlink(join(root, 'nowhere'), join(root, 'dangling'));
  await symlink('/nonexistent/zz', join(root, 'dangling-out'));
  await symlink('loop', join(root, 'loop'));
  jail = await Jail.open(root);
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Where a jail path really is: the held folder's current path, and the name in it. */
function located(path: JailPath): string {
  const folder = readlinkSync(dirname(path.real));
  return basename(path.real) === '.' ? folder : join(folder, basename(path.real));
}

/** Pins `virtual` in `jail`, says where it is, and lets the folder go. */
async function toReal(virtual: VirtualPath, inJail: Jail = jail): Promise<string> {
  const path = inJail.pin(virtual);
  try {
    return located(path);
  } finally {
    path.close();
  }
}

function inside(real: string): boolean {
  return real === root || real.startsWith(root + sep);
}

describe('Jail.pin: paths inside the root', () => {
  const allowed: [virtual: string, relative: string][] = [
    ['/', ''],
    ['/file.txt', 'file.txt'],
    ['/dir/inner.txt', 'dir/inner.txt'],
    // A last name that does not exist yet (MKD, STOR) lies in its folder.
    ['/new.txt', 'new.txt'],
    ['/dir/new.txt', 'dir/new.txt'],
    // Links that stay inside resolve to their target.
    ['/link-in', 'dir'],
    ['/link-in/inner.txt', 'dir/inner.txt'],
    ['/link-in/new.txt', 'dir/new.txt'],
    ['/link-file', 'file.txt'],
    ['/dir/up-in/file.txt', 'file.txt'],
    // Literal names that only look like climbing.
    ['/..\\..\\outside', '..\\..\\outside'],
    ['/%2e%2e', '%2e%2e'],
    ['/...', '...'],
    ['/~', '~'],
  ];
  for (const [virtual, relative] of allowed) {
    it(`${virtual} -> <root>/${relative}`, async () => {
      const real = await toReal(v(virtual));
      assert.equal(real, relative === '' ? root : join(root, relative));
      assert.ok(inside(real));
    });
  }
});

describe('Jail.pin: a missing folder on the way', () => {
  for (const virtual of ['/missing/x', '/missing/deeper/x', '/file.txt/x']) {
    it(`${virtual} -> ENOENT or ENOTDIR (answered 550 like any missing file)`, async () => {
      await assert.rejects(toReal(v(virtual)), (error: NodeJS.ErrnoException) => error.code === 'ENOENT' || error.code === 'ENOTDIR');
    });
  }
});

describe('Jail.pin: symlinks that lead out are refused', () => {
  const refused = [
    '/link-out',
    '/link-out/secret.txt',
    '/link-out/new-file.txt',
    '/link-out/new-dir/deeper',
    '/link-out-rel/secret.txt',
    '/link-file-out',
    // Same prefix, other folder: `<base>/rootx` is not inside `<base>/root`.
    '/link-sibling',
    '/link-sibling/x',
    // A link in a parent folder pointing outside.
    '/dir/up-out',
    '/dir/up-out/outside/secret.txt',
    // A link that leads out and back in: the walk never steps outside, not even to come back.
    '/dir/up-out/root/file.txt',
    // Dangling links are never followed, not even to create their target.
    '/dangling',
    '/dangling/x',
    '/dangling-out',
    '/dangling-out/x',
    '/loop',
    '/loop/x',
  ];
  for (const virtual of refused) {
    it(`${virtual} -> OutsideJailError`, async () => {
      await assert.rejects(toReal(v(virtual)), OutsideJailError);
    });
  }
});

describe('Jail.resolve: hostile client arguments', () => {
  const hostile = [
    '..',
    '../../..',
    '../outside/secret.txt',
    '../../etc/passwd',
    '/../../etc/passwd',
    '/../outside/secret.txt',
    '//../outside',
    './../../../outside',
    'dir/../../outside/secret.txt',
    '..\\..\\outside\\secret.txt',
    '....//outside',
    '%2e%2e/outside',
    '~/../outside',
    '../'.repeat(200) + 'outside',
  ];
  for (const argument of hostile) {
    it(`${JSON.stringify(argument.length > 60 ? `${argument.slice(0, 60)}...` : argument)} stays inside the root`, async () => {
      // Most of these name a folder that does not exist inside the root: refused as missing.
      const path = await jail.resolve(VIRTUAL_ROOT, argument).catch((error: NodeJS.ErrnoException) => {
        assert.equal(error.code, 'ENOENT', String(error));
        return null;
      });
      if (!path) return;
      const virtual = path.virtual;
      const real = located(path);
      path.close();
      assert.ok(virtual.startsWith('/'));
      assert.ok(inside(real), `${argument} -> ${real}`);
      assert.ok(!real.startsWith(join(base, 'outside')), `${argument} -> ${real}`);
    });
  }

  it('from a subfolder, .. stops at the root', async () => {
    const path = await jail.resolve(v('/dir'), '../../../../file.txt');
    assert.equal(path.virtual, '/file.txt');
    assert.equal(located(path), join(root, 'file.txt'));
    path.close();
  });

  it('a very long path is refused or kept inside, never outside', async () => {
    for (const argument of ['a/'.repeat(3000) + 'x', 'n'.repeat(300), '../'.repeat(3000) + 'x/'.repeat(2100)]) {
      try {
        const path = await jail.resolve(VIRTUAL_ROOT, argument);
        assert.ok(inside(located(path)));
        path.close();
      } catch (error) {
        assert.ok(!(error instanceof assert.AssertionError), String(error));
        assert.match((error as NodeJS.ErrnoException).code ?? (error as Error).name, /ENAMETOOLONG|ENOENT|OutsideJail/);
      }
    }
  });
});

describe('Jail.contains and Jail.open', () => {
  it('a sibling with the same prefix is not inside', () => {
    assert.equal(jail.contains(root), true);
    assert.equal(jail.contains(join(root, 'a')), true);
    assert.equal(jail.contains(`${root}x`), false);
    assert.equal(jail.contains(base), false);
    assert.equal(jail.contains(`${root}${sep}..${sep}outside`), true, 'contains() is lexical; toReal() resolves first');
  });

  it('a root reached through a symlink is resolved first', async () => {
    const alias = join(base, 'alias');
    await symlink(root, alias);
    const aliased = await Jail.open(alias);
    assert.equal(aliased.root, root);
    assert.equal(await toReal(v('/file.txt'), aliased), join(root, 'file.txt'));
    await assert.rejects(toReal(v('/link-out/secret.txt'), aliased), OutsideJailError);
  });
});

describe('Jail.pin holds the folder, not its name', () => {
  it('a folder renamed away and replaced by a link to outside after pinning: the path still reaches the held folder', async () => {
    await mkdir(join(root, 'held'));
    await writeFile(join(root, 'held', 'f.txt'), 'held folder');
    await writeFile(join(base, 'outside', 'f.txt'), 'outside');
    const path = jail.pin(v('/held/f.txt'));
    try {
      await rename(join(root, 'held'), join(root, 'held-moved'));
      await symlink(join(base, 'outside'), join(root, 'held'));
      assert.equal(await readFile(path.real, 'utf8'), 'held folder');
      assert.equal(located(path), join(root, 'held-moved', 'f.txt'));
    } finally {
      path.close();
    }
    // Resolved again now, the name is a link that leads out: refused.
    await assert.rejects(toReal(v('/held/f.txt')), OutsideJailError);
  });
});
