import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPathArgument, quotePath, resolveVirtual, virtualJoin, virtualName, virtualParent, VIRTUAL_ROOT, type VirtualPath } from './virtual-path.ts';

const v = (path: string) => path as VirtualPath;

/** protocol.md: "`..` at the root stays at the root"; every result is absolute and normalised. */
const HOSTILE: [cwd: string, argument: string, expected: string][] = [
  ['/', '..', '/'],
  ['/', '../../..', '/'],
  ['/', '../../../../../../../../../../etc/passwd', '/etc/passwd'],
  ['/', '/../../etc/passwd', '/etc/passwd'],
  ['/a/b', '../../../x', '/x'],
  ['/a/b', '/a/b/../../../../c', '/c'],
  ['/a/b', '..', '/a'],
  ['/', '//', '/'],
  ['/', '///etc///passwd', '/etc/passwd'],
  ['/a', '//b//c//', '/b/c'],
  ['/a', './././b/./', '/a/b'],
  ['/a/b', './../.././c/../d', '/d'],
  ['/a', '.', '/a'],
  ['/a', '', '/a'],
  ['/a', './', '/a'],
  ['/a', '.././../.', '/'],
  // A backslash is an ordinary name character (Unix servers): no climbing through it.
  ['/', '..\\..\\x', '/..\\..\\x'],
  ['/d', '..\\..\\etc\\passwd', '/d/..\\..\\etc\\passwd'],
  ['/', 'C:\\Windows\\system.ini', '/C:\\Windows\\system.ini'],
  // Three or more dots are names, not parents.
  ['/', '...', '/...'],
  ['/a', '.../...', '/a/.../...'],
  ['/', '....//', '/....'],
  ['/', '....//....//etc/passwd', '/..../..../etc/passwd'],
  ['/', '.. ', '/.. '],
  ['/', ' ..', '/ ..'],
  // Percent-encoding is not decoded: these are literal names.
  ['/', '%2e%2e/%2e%2e/etc/passwd', '/%2e%2e/%2e%2e/etc/passwd'],
  ['/', '%2E%2E%2F%2E%2E%2Fetc', '/%2E%2E%2F%2E%2E%2Fetc'],
  ['/', '..%2f..%2fetc', '/..%2f..%2fetc'],
  ['/', '%c0%ae%c0%ae/', '/%c0%ae%c0%ae'],
  // No home-directory expansion.
  ['/', '~', '/~'],
  ['/', '~root/.ssh/id_rsa', '/~root/.ssh/id_rsa'],
  ['/', '~/../../etc', '/etc'],
  // Names with spaces keep them.
  ['/my dir', ' lead and trail ', '/my dir/ lead and trail '],
];

describe('resolveVirtual: hostile inputs stay under /', () => {
  for (const [cwd, argument, expected] of HOSTILE) {
    it(`${JSON.stringify(argument)} from ${JSON.stringify(cwd)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(resolveVirtual(v(cwd), argument), expected);
    });
  }

  it('very long chains of .. never climb above the root', () => {
    assert.equal(resolveVirtual(v('/a/b/c'), '../'.repeat(100_000) + 'etc/passwd'), '/etc/passwd');
    assert.equal(resolveVirtual(VIRTUAL_ROOT, '/..'.repeat(50_000)), '/');
  });

  it('very long paths are normalised, not truncated', () => {
    const deep = 'a/'.repeat(5000);
    const result = resolveVirtual(VIRTUAL_ROOT, deep + './/b');
    assert.equal(result, '/' + 'a/'.repeat(5000) + 'b');
    assert.equal(result.length, 1 + 2 * 5000 + 1);
  });

  it('random mixes of . .. / \\ % ~ always give an absolute normalised path', () => {
    const alphabet = ['.', '..', '/', '//', 'a', '\\', '%2e', '~', ' ', '...'];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 3000; round++) {
      const argument = Array.from({ length: next() % 20 }, () => alphabet[next() % alphabet.length]).join('');
      const result = resolveVirtual(v('/x/y'), argument);
      assert.ok(result.startsWith('/'), `${JSON.stringify(argument)} -> ${result}`);
      assert.ok(!result.includes('//'), `${JSON.stringify(argument)} -> ${result}`);
      const segments = result.split('/').slice(1);
      assert.ok(!segments.includes('..') && !segments.includes('.'), `${JSON.stringify(argument)} -> ${result}`);
      assert.ok(result === '/' || !result.endsWith('/'), `${JSON.stringify(argument)} -> ${result}`);
    }
  });
});

describe('virtualParent, virtualName, virtualJoin, quotePath', () => {
  it('parent and name', () => {
    assert.equal(virtualParent(VIRTUAL_ROOT), '/');
    assert.equal(virtualParent(v('/a')), '/');
    assert.equal(virtualParent(v('/a/b/c')), '/a/b');
    assert.equal(virtualName(v('/a/b/c.txt')), 'c.txt');
    assert.equal(virtualName(VIRTUAL_ROOT), '');
  });

  it('virtualJoin takes a name, never a path: slashes in it cannot climb', () => {
    assert.equal(virtualJoin(v('/a'), 'b.txt'), '/a/b.txt');
    assert.equal(virtualJoin(v('/a'), '../../etc/passwd'), '/a/....etcpasswd');
    assert.equal(virtualJoin(v('/a'), '/etc'), '/a/etc');
  });

  it('quotePath doubles embedded quotes (RFC 959 Appendix II)', () => {
    assert.equal(quotePath(v('/a')), '"/a"');
    assert.equal(quotePath(v('/say "hi"')), '"/say ""hi"""');
  });
});

describe('checkPathArgument refuses bytes no name may hold', () => {
  const cases: [string, ReturnType<typeof checkPathArgument>][] = [
    ['a.txt', null],
    ['dir/with space/ü.txt', null],
    ['', 'empty'],
    ['a\0b', 'control-characters'],
    ['\0', 'control-characters'],
    ['a\rb', 'control-characters'],
    ['a\nDELE b', 'control-characters'],
    ['a\r\nDELE b', 'control-characters'],
    ['tab\there', 'control-characters'],
    ['esc\x1b[31m', 'control-characters'],
    ['del\x7f', 'control-characters'],
  ];
  for (const [argument, expected] of cases) {
    it(`${JSON.stringify(argument)} -> ${expected}`, () => assert.equal(checkPathArgument(argument, 4096), expected));
  }

  it('a path over the length cap is too-long (checked before its bytes)', () => {
    assert.equal(checkPathArgument('a'.repeat(4096), 4096), null);
    assert.equal(checkPathArgument('a'.repeat(4097), 4096), 'too-long');
    assert.equal(checkPathArgument('\0'.repeat(5000), 4096), 'too-long');
  });
});
