#!/usr/bin/env node
// ftp-check: the bundle when it is up to date, else the sources (bin/start.js).
import { start } from './start.js';

await start('ftp-check', 'harness/src/cli.ts', ['harness/src', 'reference-server/src']);
