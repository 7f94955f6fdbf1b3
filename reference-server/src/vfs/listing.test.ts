import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseList, FileType } from 'basic-ftp';
import { formatFacts, formatLsLine, formatTimeVal, MLST_FACTS, permFact, type EntryInfo } from './listing.ts';

const NOW = new Date('2025-11-21T12:00:00Z');
const file = (name: string, size: number, mtime: string, mode = 0o644): EntryInfo => ({ name, kind: 'file', size, mtime: new Date(mtime), mode });
const dir = (name: string, mtime: string, mode = 0o755): EntryInfo => ({ name, kind: 'dir', size: 0, mtime: new Date(mtime), mode });

describe('formatLsLine (ls -l, what curl, lftp and FileZilla parse)', () => {
  it('a recent file shows time of day', () => {
    assert.equal(formatLsLine(file('a.txt', 1234, '2025-11-21T05:52:00Z'), NOW), '-rw-r--r--   1 ftp      ftp              1234 Nov 21 05:52 a.txt');
  });

  it('a folder has d and two links', () => {
    assert.equal(formatLsLine(dir('docs', '2025-11-01T00:07:00Z'), NOW), 'drwxr-xr-x   2 ftp      ftp                 0 Nov  1 00:07 docs');
  });

  it('an entry older (or newer) than six months shows the year', () => {
    assert.equal(formatLsLine(file('old', 5, '2020-01-05T10:00:00Z'), NOW), '-rw-r--r--   1 ftp      ftp                 5 Jan  5  2020 old');
    assert.equal(formatLsLine(file('future', 5, '2027-03-09T10:00:00Z'), NOW), '-rw-r--r--   1 ftp      ftp                 5 Mar  9  2027 future');
  });

  it('permission bits, and only the low nine', () => {
    const bits = (mode: number) => formatLsLine(file('x', 0, '2025-11-21T00:00:00Z', mode), NOW).slice(1, 10);
    assert.equal(bits(0o777), 'rwxrwxrwx');
    assert.equal(bits(0o750), 'rwxr-x---');
    assert.equal(bits(0o000), '---------');
    assert.equal(bits(0o4644 & 0o777), 'rw-r--r--');
  });

  it('never names a server account as owner', () => {
    const line = formatLsLine(file('x', 1, '2025-11-21T00:00:00Z'), NOW);
    assert.match(line, /^\S+\s+\d+ ftp +ftp +\d+ /);
  });

  it('huge sizes and names with spaces survive a real client parser (basic-ftp)', () => {
    const entries = [file('my file.txt', 10 * 1024 ** 3, '2025-11-20T08:00:00Z'), dir('a dir', '2019-06-01T00:00:00Z'), file(' lead', 1, '2025-11-21T00:00:00Z')];
    const parsed = parseList(entries.map((entry) => formatLsLine(entry, NOW)).join('\r\n'));
    assert.deepEqual(
      parsed.map((info) => [info.name, info.size, info.type]),
      [
        ['my file.txt', 10 * 1024 ** 3, FileType.File],
        ['a dir', 0, FileType.Directory],
        [' lead', 1, FileType.File],
      ],
    );
  });
});

describe('MLSD/MLST facts (RFC 3659 §7)', () => {
  it('formatTimeVal is YYYYMMDDHHMMSS in UTC (§2.3)', () => {
    assert.equal(formatTimeVal(new Date('2025-01-02T03:04:05.678Z')), '20250102030405');
    assert.equal(formatTimeVal(new Date('1999-12-31T23:59:59Z')), '19991231235959');
  });

  it('a writable file', () => {
    assert.equal(formatFacts(file('a.txt', 3, '2025-01-02T03:04:05Z'), 'file', true, 'a.txt'), 'type=file;size=3;modify=20250102030405;perm=adfrw;unix.mode=0644; a.txt');
  });

  it('a read-only folder has no size fact and perm=el', () => {
    assert.equal(formatFacts(dir('d', '2025-01-02T03:04:05Z'), 'dir', false, 'd'), 'type=dir;modify=20250102030405;perm=el;unix.mode=0755; d');
  });

  it('cdir and pdir types, names kept verbatim after the single space', () => {
    assert.equal(formatFacts(dir('.', '2025-01-02T03:04:05Z'), 'cdir', true, '.'), 'type=cdir;modify=20250102030405;perm=cdeflmp;unix.mode=0755; .');
    assert.ok(formatFacts(file(' two  spaces ', 1, '2025-01-02T03:04:05Z'), 'file', true, ' two  spaces ').endsWith(';  two  spaces '));
  });

  it('every fact line is `fact=value;`... then one space then the name', () => {
    const line = formatFacts(file('x;y=z', 9, '2025-01-02T03:04:05Z'), 'file', false, 'x;y=z');
    const space = line.indexOf(' ');
    assert.match(line.slice(0, space), /^([a-z.]+=[^;= ]*;)+$/);
    assert.equal(line.slice(space + 1), 'x;y=z');
  });

  it('permFact follows what the session may do (§7.5.5)', () => {
    assert.equal(permFact('file', true), 'adfrw');
    assert.equal(permFact('file', false), 'r');
    assert.equal(permFact('dir', true), 'cdeflmp');
    assert.equal(permFact('dir', false), 'el');
  });

  it('FEAT-advertised facts include the ones clients need', () => {
    for (const fact of ['type', 'size', 'modify', 'perm']) assert.ok((MLST_FACTS as readonly string[]).includes(fact), fact);
  });

  it('a real client parser (basic-ftp) reads the facts', () => {
    const lines = [
      formatFacts(dir('.', '2025-01-02T03:04:05Z'), 'cdir', true, '.'),
      formatFacts(file('a b.bin', 1024, '2025-01-02T03:04:05Z'), 'file', true, 'a b.bin'),
      formatFacts(dir('sub', '2025-01-02T03:04:05Z'), 'dir', true, 'sub'),
    ];
    const parsed = parseList(lines.join('\r\n'));
    assert.deepEqual(
      parsed.map((info) => [info.name, info.size, info.type]),
      [
        ['a b.bin', 1024, FileType.File],
        ['sub', 0, FileType.Directory],
      ],
    );
    assert.equal(parsed[0]?.modifiedAt?.toISOString(), '2025-01-02T03:04:05.000Z');
  });
});
