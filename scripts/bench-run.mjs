#!/usr/bin/env node
// How long the full `ftp-check run` against the embedded ftp-ref takes, for one
// or more checkouts of this repository (each with node_modules and built
// bundles), in interleaved rounds so that the machine's load falls on each
// alike. Prints the median wall time of each and its ratio to the first.
// Usage: node scripts/bench-run.mjs [--rounds N] [-- run options] DIR...
import { spawnSync } from 'node:child_process';
import { resolve, join } from 'node:path';

const args = process.argv.slice(2);
let rounds = 3;
const dirs = [];
const runArgs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--') runArgs.push(...args.splice(i + 1));
  else dirs.push(resolve(args[i]));
}
if (dirs.length === 0) dirs.push(resolve('.'));

const times = new Map(dirs.map((dir) => [dir, []]));
for (let round = 0; round < rounds; round++) {
  for (const dir of dirs) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [join(dir, 'bin/ftp-check.js'), 'run', '--quiet', ...runArgs], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = result.stdout.trim().split('\n').pop();
    if (result.status !== 0) throw new Error(`${dir}: exit ${result.status}\n${result.stdout.slice(-2000)}${result.stderr}`);
    times.get(dir).push(seconds);
    console.log(`round ${round + 1}  ${seconds.toFixed(1).padStart(6)} s  ${dir}  (${summary})`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const first = median(times.get(dirs[0]));
for (const [dir, values] of times) {
  const m = median(values);
  console.log(`median ${m.toFixed(1).padStart(6)} s  ratio ${(m / first).toFixed(2)}  ${dir}  [${values.map((v) => v.toFixed(1)).join(', ')}]`);
}
