/**
 * Runs the grading of one submission in a fresh network namespace that only
 * has loopback: the grader's worker process (trusted, root, our code) and the
 * sandboxed server share it, so every connection a case makes stays on the
 * server's own loopback, and the server cannot reach the machine's services,
 * the other submissions' servers or the outside world. bubblewrap makes the
 * namespace (and brings its loopback up); the worker keeps the host's files
 * and capabilities, as it must build the submission's own sandbox.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Grade } from '../score.ts';
import type { SandboxOptions } from '../submission.ts';

export interface WorkerTask {
  student: string;
  rubricFile: string;
  specs: string[];
  submission: { dir: string; command: string; logDir: string };
  sandbox: SandboxOptions;
  jobs: number;
}

export type WorkerMessage = { type: 'progress'; text: string } | { type: 'grade'; grade: Grade } | { type: 'error'; message: string };

const WORKER_SOURCE = join('harness', 'src', 'grade', 'grade-worker.ts');

/** The worker's source, found from here upwards: this module may run from the sources or from the dist/ bundle. */
function workerPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, WORKER_SOURCE))) return join(dir, WORKER_SOURCE);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${WORKER_SOURCE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function gradeInNetworkNamespace(task: WorkerTask, onProgress: (text: string) => void): Promise<Grade> {
  const tsx = import.meta.resolve('tsx');
  const args = ['--dev-bind', '/', '/', '--unshare-net', '--cap-add', 'ALL', '--die-with-parent', '--', process.execPath, '--import', tsx, workerPath(), JSON.stringify(task)];
  const child = spawn(task.sandbox.support.bwrap, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let grade: Grade | null = null;
  let failure = '';
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: WorkerMessage;
    try {
      message = JSON.parse(line) as WorkerMessage;
    } catch {
      return;
    }
    if (message.type === 'progress') onProgress(message.text);
    else if (message.type === 'grade') grade = message.grade;
    else failure = message.message;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolveGrade, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (grade) resolveGrade(grade);
      else reject(new Error(`grading ${task.student} failed in its worker (exit ${code}): ${failure || stderr.trim() || 'no output'}`));
    });
  });
}
