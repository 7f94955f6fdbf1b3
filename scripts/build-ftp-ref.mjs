#!/usr/bin/env node
// Bundles ftp-ref into dist/ftp-ref.mjs (run by `npm ci` through "prepare").
// The server then starts without the TypeScript loader: ~35 MiB less memory
// and a faster start. bin/ftp-ref.js uses the bundle only while it is newer
// than every source file, so an edited source is never shadowed by a stale build.
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';

await build({
  entryPoints: ['reference-server/src/cli.ts'],
  outfile: 'dist/ftp-ref.mjs',
  // Packages stay outside the bundle: dynamic imports keep costly ones lazy.
  ...NODE_BUNDLE,
});
