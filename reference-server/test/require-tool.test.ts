import { after, describe, it, type TestContext } from 'node:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { findTool, requireTool } from './require-tool.ts';

/** A stand-in TestContext that records what skip() was told. */
function fakeContext(): { t: TestContext; skipped: string[] } {
  const skipped: string[] = [];
  const t = { skip: (message?: string) => skipped.push(message ?? '') } as unknown as TestContext;
  return { t, skipped };
}

const scratch = mkdtempSync(join(tmpdir(), 'ftp-ref-tool-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('findTool', () => {
  it('finds a program on PATH and by absolute path', () => {
    assert.match(findTool('sh') ?? '', /\/sh$/);
    assert.equal(findTool('/bin/sh'), '/bin/sh');
  });

  it('returns null for what is not there or not executable', () => {
    assert.equal(findTool('no-such-tool-ftp-ref'), null);
    assert.equal(findTool('/no/such/tool'), null);
    assert.equal(findTool('sh', ''), null);
    const plain = join(scratch, 'not-executable');
    writeFileSync(plain, '#!/bin/sh\n');
    chmodSync(plain, 0o644);
    assert.equal(findTool(plain), null);
    assert.equal(findTool(scratch), null, 'a folder is not a program');
    assert.equal(findTool('not-executable', scratch), null);
  });
});

describe('requireTool', () => {
  it('a present tool: true, nothing skipped', () => {
    const { t, skipped } = fakeContext();
    assert.equal(requireTool(t, 'sh'), true);
    assert.deepEqual(skipped, []);
  });

  it('a missing tool outside CI: skipped with the reason shown', () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const { t, skipped } = fakeContext();
      assert.equal(requireTool(t, 'no-such-tool-ftp-ref'), false);
      assert.equal(skipped.length, 1);
      assert.match(skipped[0] ?? '', /no-such-tool-ftp-ref is not installed .*install-peers/);
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  it('a missing tool in CI (CI=true): a failure, not a skip', () => {
    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      const { t, skipped } = fakeContext();
      assert.throws(() => requireTool(t, 'no-such-tool-ftp-ref'), /no-such-tool-ftp-ref is not installed.*CI/);
      assert.deepEqual(skipped, []);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
