#!/usr/bin/env node
// Bundles ftp-check into dist/ftp-check.mjs (run by `npm ci` through "prepare",
// and before `npm pack`). The installed command then starts without a
// TypeScript loader: `ftp-check --help` in ~0.1 s instead of ~1.6 s through tsx.
// bin/ftp-check.js uses the bundle only while it is newer than every source
// file, so an edited source is never shadowed by a stale build.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';

// Chunks of an older build would be shipped by `npm pack` beside the new ones.
await rm('dist/ftp-check-chunks', { recursive: true, force: true });
await build({
  entryPoints: { 'ftp-check': 'harness/src/cli.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Each command's code and the packages it imports go into chunks loaded
  // only when it runs: an ES module's static imports all load at start, so a
  // single file would load ajv, yaml, pino... even for --help.
  splitting: true,
  chunkNames: 'ftp-check-chunks/[name]-[hash]',
  ...NODE_BUNDLE,
  metafile: process.argv.includes('--metafile'),
}).then(async (result) => {
  if (result.metafile) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile('dist/ftp-check.meta.json', JSON.stringify(result.metafile));
  }
});
