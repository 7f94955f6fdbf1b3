// Starts a command from its bundle in dist/ (built by `npm ci` and before
// `npm pack`: scripts/build-*.mjs) when the bundle is up to date, else from the
// TypeScript sources through tsx. An installed package ships no sources, so it
// always runs the bundle; a clone whose sources were edited since the last
// build runs the sources, so an edit is never shadowed by a stale bundle.
import { statSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh(bundle, sourceDirs) {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of sourceDirs) {
    try {
      if (newestSource(join(root, dir)) > built) return false;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // no sources: an installed package
    }
  }
  return true;
}

/** `name` is the bundle dist/<name>.mjs; `entry` the TypeScript entry point it is built from. */
export async function start(name, entry, sourceDirs) {
  const bundle = join(root, 'dist', `${name}.mjs`);
  if (bundleIsFresh(bundle, sourceDirs)) {
    await import(pathToFileURL(bundle).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, entry)).href);
}
