/**
 * How long does a class take to grade? A class of N copies of
 * fixtures/class/correct (ftp-ref, the model answer) is graded with the fixture
 * rubric, each submission in its sandbox, --jobs at its default (from the
 * machine's cores and free memory) unless given. Prints the wall time, the
 * time per submission, and whether the class stays within the budget
 * (issue: 30 servers in under 10 minutes on 2 cores).
 *
 *   node --import tsx scripts/bench-grade.ts [--students 30] [--jobs N] [--budget-minutes 10] [--unsafe-no-sandbox]
 *
 * A measurement, not a test: it asserts nothing, and it leaves nothing behind.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '30' },
    jobs: { type: 'string' },
    'budget-minutes': { type: 'string', default: '10' },
    'unsafe-no-sandbox': { type: 'boolean', default: false },
  },
});
const students = Number(values.students);
const budgetMinutes = Number(values['budget-minutes']);
if (!Number.isInteger(students) || students < 1 || students > 200) throw new Error('--students must be a whole number from 1 to 200');

const work = await mkdtemp(join(tmpdir(), 'bench-grade-'));
try {
  const klass = join(work, 'class');
  for (let i = 1; i <= students; i++) await cp('fixtures/class/correct', join(klass, `student-${String(i).padStart(2, '0')}`), { recursive: true });
  const args = ['bin/ftp-check.js', 'grade', '--submissions', klass, '--rubric', 'fixtures/class/rubric.yaml', '--reports', join(work, 'reports')];
  if (values.jobs) args.push('--jobs', values.jobs);
  if (values['unsafe-no-sandbox']) args.push('--unsafe-no-sandbox');
  const started = performance.now();
  const run = await execa(process.execPath, args, { reject: false, timeout: budgetMinutes * 3 * 60_000 });
  const seconds = (performance.now() - started) / 1000;
  const header = /^grading .*$/m.exec(run.stdout)?.[0] ?? '';
  const csv = await readFile(join(work, 'reports', 'grade', 'gradebook.csv'), 'utf8').catch(() => '');
  const full = csv.trim().split('\n').slice(1).filter((line) => /,100,100,100,pass,$/.test(line)).length;
  console.log(header);
  console.log(`cores: ${availableParallelism()}; exit code ${run.exitCode}; ${full} of ${students} graded 100/100`);
  console.log(`wall time: ${seconds.toFixed(1)} s for ${students} submissions (${(seconds / students).toFixed(1)} s each on average)`);
  console.log(`budget: ${budgetMinutes} min -> ${seconds <= budgetMinutes * 60 ? 'within' : 'OVER'} (${((100 * seconds) / (budgetMinutes * 60)).toFixed(0)}% of it)`);
  if (run.exitCode !== 0) console.log(run.stderr.slice(-2000));
} finally {
  await rm(work, { recursive: true, force: true });
}
