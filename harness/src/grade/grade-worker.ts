/**
 * Grades one submission from inside its own network namespace, so that the
 * server's loopback is reachable by the checks (control and data connections,
 * passive and active) while the server reaches nothing of the machine's
 * network. Started by sandbox/worker.ts; reads its task as JSON from argv,
 * writes JSON lines on stdout: progress, then the grade.
 */
import { loadSpecs } from '../spec/loader.ts';
import { loadRubric } from './rubric.ts';
import { gradeOne } from './grade-one.ts';
import type { WorkerTask, WorkerMessage } from './sandbox/worker.ts';

const send = (message: WorkerMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);

try {
  const task = JSON.parse(process.argv[2] ?? '{}') as WorkerTask;
  const rubric = await loadRubric(task.rubricFile);
  const cases = await loadSpecs(task.specs);
  const result = await gradeOne({ student: task.student, rubric, cases, submission: task.submission, sandbox: task.sandbox, jobs: task.jobs, onProgress: (text) => send({ type: 'progress', text }) });
  send({ type: 'grade', grade: result });
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
}
