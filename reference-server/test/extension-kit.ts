/**
 * Small helpers shared by the tests of ftp-ref's file-manager extensions
 * (SITE, quota, resume, HASH, FTPS): content, digests, the bytes a home really
 * holds on disk. (Whether an external client is installed: require-tool.ts.)
 */
import { createHash } from 'node:crypto';
import { readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

/** The system Python, which has ftplib and pyftpdlib; never the pyenv shim. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** `length` bytes that differ for each `seed`, so mixed-up content is always noticed. */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export function digest(algorithm: 'sha256' | 'sha512' | 'sha1' | 'md5', bytes: Buffer | Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

export const sha256 = (bytes: Buffer | Uint8Array): string => digest('sha256', bytes);

/** Total size of the regular files under `folder`: what a home really holds, for comparison with SITE QUOTA. */
export function bytesOnDisk(folder: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += bytesOnDisk(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/** `used=<n> limit=<n>` of a SITE QUOTA reply. */
export function parseQuota(text: string): { used: number; limit: number } {
  const match = /used=(\d+) limit=(\d+)/.exec(text);
  if (!match) throw new Error(`not a SITE QUOTA reply: ${text}`);
  return { used: Number(match[1]), limit: Number(match[2]) };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `promise`, or a failure with `message()` after `ms`; for waits whose error should carry late context. */
export async function withTimeoutOf<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
