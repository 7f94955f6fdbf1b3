#!/usr/bin/env node
// How long `ftp-check --help` and `ftp-ref --help` take to start, from the
// bundles (what an installed package runs) and from the sources through tsx
// (what ran before the bundles), beside a bare `node -e ""` measured in the
// same rounds. Medians of interleaved rounds, wall time and CPU (user+sys) of
// the child, so a busy machine shows in the baseline rather than in one row.
// Usage: node scripts/bench-startup.mjs [rounds] [package folder, default this repo]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const rounds = Number(process.argv[2] ?? 15);
const root = resolve(process.argv[3] ?? '.');
const node = process.execPath;
const commands = {
  'node -e ""': [node, ['-e', '']],
  'ftp-check --help (bundle)': [node, [join(root, 'bin/ftp-check.js'), '--help']],
  'ftp-ref --help (bundle)': [node, [join(root, 'bin/ftp-ref.js'), '--help']],
};
if (process.argv[3] === undefined) {
  commands['ftp-check --help (tsx, sources)'] = [node, ['--import', 'tsx', 'harness/src/cli.ts', '--help']];
}

const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, { wall: [], cpu: [] }]));
for (let round = 0; round < rounds; round++) {
  for (const [name, [file, args]] of Object.entries(commands)) {
    // `time -f` reports the child's own CPU; wall time from the same tool.
    const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S', file, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    const [wall, user, sys] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
    samples[name].wall.push(wall);
    samples[name].cpu.push(user + sys);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (seconds) => `${Math.round(seconds * 1000)} ms`;
console.log(`${rounds} rounds, ${root}`);
for (const [name, { wall, cpu }] of Object.entries(samples)) {
  console.log(`${name.padEnd(34)} wall ${ms(median(wall)).padStart(8)}   cpu ${ms(median(cpu)).padStart(8)}`);
}
