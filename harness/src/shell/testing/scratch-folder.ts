/**
 * A temporary folder removed when its test ends. The shell's tests keep their
 * own rather than import reference-server's test helpers, which its refactor
 * moves about: only harness code is the shell's to lean on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export async function scratchFolder(t: TestContext, prefix: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}
