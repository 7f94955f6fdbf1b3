/**
 * Interop tests need clients nobody here wrote (lftp, curl, Python's ftplib).
 * A missing one skips its test with the reason shown, except in CI
 * (`CI=true`), where a missing client is a failure: CI must test them all.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { TestContext } from 'node:test';

/** The full path of `tool` (a name looked up on PATH, or an absolute path), or null. */
export function findTool(tool: string, path = process.env.PATH ?? ''): string | null {
  const candidates = isAbsolute(tool) ? [tool] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, tool));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; try the next one
    }
  }
  return null;
}

/**
 * True when `tool` can run. Otherwise skips `t` with the reason and returns
 * false; in CI it throws instead, so the test fails.
 */
export function requireTool(t: TestContext, tool: string): boolean {
  if (findTool(tool)) return true;
  const reason = `${tool} is not installed (run: bash scripts/install-peers.sh)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI needs every interop client`);
  t.skip(reason);
  return false;
}
