#!/usr/bin/env node
// ftp-ref: the bundle when it is up to date, else the sources (bin/start.js).
import { start } from './start.js';

await start('ftp-ref', 'reference-server/src/cli.ts', ['reference-server/src']);
