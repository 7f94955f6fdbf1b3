/**
 * Where the package's own files are (specs/, package.json), found from this
 * module upwards, so the answer is the same whether it runs from the
 * TypeScript sources or from the bundle in dist/. Kept free of heavy imports:
 * `ftp-check --help` loads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ftp-check') return dir;
    if (dirname(dir) === dir) throw new Error(`ftp-check: cannot find its package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const DEFAULT_SPECS = join(PACKAGE_ROOT, 'specs');

/** A mistake in how ftp-check was called: exit 2 with the message. */
export class UsageError extends Error {}
