/**
 * `ftp-check grade`: one running server (--target) or a folder of student
 * submissions (--submissions), marked by a rubric. Writes per-student reports
 * (Markdown, HTML, JUnit) and, for a class, a gradebook (CSV, Markdown).
 */
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism, freemem } from 'node:os';
import { join, resolve, basename } from 'node:path';
import pLimit from 'p-limit';
import { loadSpecs } from '../spec/loader.ts';
import { buildProfile, parseHostPort, type ProfileFlags } from '../target/profile.ts';
import { summarize } from '../engine/results.ts';
import { renderJUnit } from '../reporters/junit.ts';
import { writeReportFile } from '../reporters/report-file.ts';
import { renderWarningBlock } from '../reporters/console.ts';
import { loadRubric, type Rubric } from './rubric.ts';
import { gradeOne } from './grade-one.ts';
import { renderStudentHtml, renderStudentMarkdown, uniqueProblems } from './student-report.ts';
import { redactForStudent } from './redact.ts';
import { renderGradebookCsv, renderGradebookMarkdown } from './gradebook.ts';
import type { Grade } from './score.ts';
import { sandboxSupport } from './sandbox/support.ts';
import { gradeInNetworkNamespace } from './sandbox/worker.ts';
import type { SandboxOptions } from './submission.ts';

export class GradeUsageError extends Error {}

export interface GradeFlags extends Omit<ProfileFlags, 'target'> {
  rubric: string;
  target?: string;
  submissions?: string;
  start?: string;
  student?: string;
  /** Submissions graded at once (default: from the machine's cores and free memory). */
  jobs?: number;
  reports: string;
  specs: string[];
  /** Run submissions without the sandbox (only for code you trust). */
  unsafeNoSandbox?: boolean;
}

/** Memory one grading takes besides the server's own limit: the worker process and its checks. */
const WORKER_MIB = 200;

/** As many at once as there are cores, and no more than free memory holds at every server's limit. */
export function defaultJobs(rubric: Rubric, cores = availableParallelism(), freeBytes = freemem()): number {
  const byMemory = Math.floor(freeBytes / ((rubric.memoryLimitMiB + WORKER_MIB) * 1024 * 1024));
  return Math.max(1, Math.min(cores, byMemory, 16));
}

async function writeStudentReports(grade: Grade, rubric: Rubric, folder: string): Promise<void> {
  await writeReportFile(join(folder, 'report.md'), renderStudentMarkdown(grade, rubric));
  await writeReportFile(join(folder, 'report.html'), renderStudentHtml(grade, rubric));
  await writeReportFile(join(folder, 'junit.xml'), renderJUnit(summarize(grade.results, grade.student, 0), grade.results));
}

/** Each failed case of a student on one line: what to look at first. */
export function failedCaseLines(grade: Grade): string[] {
  return grade.results
    .filter((r) => r.status === 'failed' || r.status === 'warned')
    .map(redactForStudent)
    .map((r) => `  ✗ ${r.info.id}: ${r.info.title}${r.failure ? ` — got ${oneLine(r.failure.actual, 200)}` : ''}`);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function printGrade(grade: Grade, out: (text: string) => void): void {
  out(`${grade.student}: ${grade.earned} / ${grade.max} (${grade.percent}%) ${grade.passed ? 'PASS' : 'FAIL'}`);
  for (const suite of grade.suites) out(`  ${suite.suite.padEnd(12)} ${String(suite.earned).padStart(6)} / ${suite.points}   ${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} not run${suite.notChecked ? `, ${suite.notChecked} not checked` : ''}${suite.requiredFailed.length ? `  (required failed: ${suite.requiredFailed.join(', ')})` : ''}`);
  for (const problem of uniqueProblems(grade)) out(`  problem: ${problem}`);
  for (const penalty of grade.penalties) out(`  penalty −${penalty.points} (${penalty.kind}): ${penalty.detail}`);
  if (grade.capped) out(`  ${grade.capped}`);
}

export async function gradeCommand(flags: GradeFlags, out: (text: string) => void): Promise<number> {
  if (Boolean(flags.target) === Boolean(flags.submissions)) throw new GradeUsageError('give either --target host:port or --submissions DIR');
  const rubric = await loadRubric(flags.rubric);
  const cases = await loadSpecs(flags.specs);
  const unknownSuites = Object.keys(rubric.suites).filter((suite) => !cases.some((c) => c.suite === suite));
  if (unknownSuites.length > 0) throw new GradeUsageError(`${flags.rubric}: unknown suite(s) ${unknownSuites.join(', ')}`);
  const reportRoot = resolve(flags.reports, 'grade');

  if (flags.target) {
    const target = parseHostPort(flags.target);
    const student = flags.student ?? flags.target;
    const accountsGiven = Boolean(flags.profile || flags.user || flags.user2 || flags.admin || flags.quotaUser || flags.anonymous || flags.noAnonymous || flags.tls);
    const targetProfile = accountsGiven ? await buildProfile({ ...flags, target: flags.target }) : undefined;
    const result = await gradeOne({ student, rubric, cases, target, targetProfile, jobs: 4 });
    printGrade(result, out);
    for (const failed of result.results.filter((r) => r.status === 'failed').map(redactForStudent)) {
      out('');
      for (const line of renderWarningBlock(failed, { verbose: false, color: false, transcriptTail: 8 })) out(line);
    }
    const folder = join(reportRoot, student.replace(/[^A-Za-z0-9_.-]/g, '_'));
    await writeStudentReports(result, rubric, folder);
    out(`\nreports: ${folder}/report.html, report.md, junit.xml`);
    return result.passed ? 0 : 1;
  }

  const command = flags.start ?? rubric.start;
  if (!command) throw new GradeUsageError('the rubric has no "start" command: give --start, e.g. "python3 server.py --port {port} --root {root}"');
  const folder = resolve(flags.submissions as string);
  let entries: string[];
  try {
    entries = (await readdir(folder)).sort();
  } catch {
    throw new GradeUsageError(`--submissions ${flags.submissions}: no such folder`);
  }
  const students: string[] = [];
  for (const name of entries) if (!name.startsWith('.') && (await stat(join(folder, name))).isDirectory()) students.push(name);
  if (students.length === 0) throw new GradeUsageError(`${flags.submissions} holds no submission folders`);
  const support = await sandboxSupport();
  let sandbox: SandboxOptions | undefined;
  if (flags.unsafeNoSandbox) {
    out('WARNING: --unsafe-no-sandbox: submissions run as this user, can read its files and environment, outlive grading and rewrite the reports. Use it only for code you trust.');
  } else if ('problem' in support) {
    throw new GradeUsageError(`cannot build the sandbox for untrusted submissions: ${support.problem}.
Without it a submission can outlive grading, read the grader's files and environment, and rewrite the reports. To grade code you trust anyway, add --unsafe-no-sandbox.`);
  } else {
    sandbox = { support };
  }
  const jobs = flags.jobs ?? defaultJobs(rubric);
  out(`grading ${students.length} submissions with "${rubric.name}" (${jobs} at once, ${sandbox ? `each in its own sandbox: cgroup v${sandbox.support.layout.version}, namespaces, a throw-away uid` : 'NO sandbox'})`);
  const limit = pLimit(jobs);
  const rubricFile = resolve(flags.rubric);
  const specs = flags.specs.map((spec) => resolve(spec));
  const grades = await Promise.all(
    students.map((student) =>
      limit(async () => {
        const logDir = join(reportRoot, student);
        const submission = { dir: join(folder, student), command, logDir };
        const onProgress = (text: string) => out(`  ${text}`);
        const result = sandbox
          ? await gradeInNetworkNamespace({ student, rubricFile, specs, submission, sandbox, jobs: 2 }, onProgress)
          : await gradeOne({ student, rubric, cases, submission, jobs: 2, onProgress });
        await writeStudentReports(result, rubric, logDir);
        const problems = [...uniqueProblems(result), ...result.penalties.map((p) => `${p.kind} −${p.points}: ${p.detail}`)];
        out(`${student}: ${result.earned} / ${result.max} (${result.percent}%)${problems.length ? ` — ${problems.join('; ')}` : ''}`);
        for (const line of failedCaseLines(result)) out(line);
        return result;
      }),
    ),
  );
  await writeReportFile(join(reportRoot, 'gradebook.csv'), renderGradebookCsv(grades));
  const markdown = renderGradebookMarkdown(grades, `${rubric.name} (${basename(folder)})`);
  await writeReportFile(join(reportRoot, 'gradebook.md'), markdown);
  out('');
  out(markdown.trimEnd());
  out(`\ngradebook: ${join(reportRoot, 'gradebook.csv')}, gradebook.md; one report per student in ${reportRoot}/<student>/`);
  return 0;
}
