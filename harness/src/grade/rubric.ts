/**
 * A rubric: how a lab is marked. Points per suite and per case, partial
 * credit, required cases that gate a grade, penalties, the accounts and the
 * start command the lab expects. YAML, checked against RUBRIC_SCHEMA (ajv).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { Ajv } from 'ajv';
import type { Role } from '../spec/types.ts';
import { ACCOUNT_SCHEMA, LIMITS_SCHEMA, type Account, type TargetLimits } from '../target/profile.ts';

export interface SuiteMarks {
  points: number;
  /** Case id -> weight (default 1 for every case of the suite). */
  weights?: Record<string, number>;
  /** false: all or nothing. */
  partial?: boolean;
  /** Any of these failing makes the whole suite worth 0. */
  required?: string[];
  /** Only these cases (globs) of the suite count. */
  cases?: string[];
}

export interface Rubric {
  name: string;
  description?: string;
  /** Command that starts a submission; {port} {host} {root} {submission} are filled in. */
  start?: string;
  timeLimitSeconds: number;
  memoryLimitMiB: number;
  greetingTimeoutSeconds: number;
  caseTimeoutSeconds: number;
  /** Processes and threads one submission may have at once (the sandbox's pids.max). */
  maxProcesses: number;
  /** Folders of the lab every submission may read: name -> host path (relative to the rubric); the server sees `{share.<name>}`. */
  share?: Record<string, string>;
  accounts: {
    /** register: SITE REGISTER each account; admin: SITE ADDUSER as the admin; prepared: the files/start command make them; none. */
    provision: 'register' | 'admin' | 'prepared' | 'none';
  } & Partial<Record<Role, Account>>;
  /** Written into the submission's root before start ({user.name}, {user.password}, … filled in). */
  files?: { path: string; content: string }[];
  limits?: TargetLimits;
  /** A file anonymous users may read, as they see it (e.g. /welcome.txt). */
  anonymousFile?: string;
  suites: Record<string, SuiteMarks>;
  /** If one of these fails, the total is capped at `requiredCap`. */
  required?: string[];
  requiredCap?: number;
  penalties: { crashed: number; hung: number; restarted: number; memory: number };
  /** Percent of the automatic marks needed to pass. */
  passMark: number;
  /** Requirements no wire check can see (log files, password storage, a client's progress bar): listed in every report for the teacher to mark by hand. */
  manual?: { requirement: string; points: number }[];
}


export const RUBRIC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'suites', 'accounts'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    start: { type: 'string', minLength: 1 },
    timeLimitSeconds: { type: 'integer', minimum: 10, maximum: 7200 },
    memoryLimitMiB: { type: 'integer', minimum: 16 },
    greetingTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 300 },
    caseTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 600 },
    maxProcesses: { type: 'integer', minimum: 8, maximum: 100000 },
    share: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9_-]+$' }, additionalProperties: { type: 'string', minLength: 1 } },
    accounts: {
      type: 'object',
      additionalProperties: false,
      required: ['provision'],
      properties: {
        provision: { enum: ['register', 'admin', 'prepared', 'none'] },
        user: ACCOUNT_SCHEMA,
        user2: ACCOUNT_SCHEMA,
        admin: ACCOUNT_SCHEMA,
        quota: ACCOUNT_SCHEMA,
        anonymous: ACCOUNT_SCHEMA,
      },
    },
    files: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['path', 'content'], properties: { path: { type: 'string', pattern: '^[^/]' }, content: { type: 'string' } } },
    },
    limits: LIMITS_SCHEMA,
    anonymousFile: { type: 'string', pattern: '^/' },
    suites: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['points'],
        properties: {
          points: { type: 'number', minimum: 0 },
          weights: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
          partial: { type: 'boolean' },
          required: { type: 'array', items: { type: 'string' } },
          cases: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    required: { type: 'array', items: { type: 'string' } },
    requiredCap: { type: 'number', minimum: 0 },
    penalties: {
      type: 'object',
      additionalProperties: false,
      properties: { crashed: { type: 'number', minimum: 0 }, hung: { type: 'number', minimum: 0 }, restarted: { type: 'number', minimum: 0 }, memory: { type: 'number', minimum: 0 } },
    },
    passMark: { type: 'number', minimum: 0, maximum: 100 },
    manual: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['requirement', 'points'], properties: { requirement: { type: 'string', minLength: 3 }, points: { type: 'number', minimum: 0 } } },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(RUBRIC_SCHEMA);

export class RubricError extends Error {}

/** Parses and checks a rubric; errors name the file and line. */
export function parseRubric(text: string, file: string): Rubric {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) throw new RubricError(`${file}:${document.errors[0]?.linePos?.[0]?.line ?? 1}: YAML: ${document.errors[0]?.message.split('\n')[0]}`);
  const raw = document.toJS() as Record<string, unknown>;
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((error) => {
      const path = error.instancePath.split('/').filter(Boolean);
      const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
      const line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
      const extra = 'additionalProperty' in error.params ? ` "${String(error.params.additionalProperty)}"` : '';
      return `${file}:${line}: ${error.instancePath.slice(1) || 'top level'}: ${error.message}${extra}`;
    });
    throw new RubricError(problems.join('\n'));
  }
  const penalties = (raw.penalties as Partial<Rubric['penalties']>) ?? {};
  return {
    timeLimitSeconds: 300,
    memoryLimitMiB: 512,
    greetingTimeoutSeconds: 15,
    caseTimeoutSeconds: 20,
    maxProcesses: 256,
    passMark: 50,
    ...(raw as object),
    ...(raw.share ? { share: Object.fromEntries(Object.entries(raw.share as Record<string, string>).map(([name, path]) => [name, resolve(dirname(file), path)])) } : {}),
    penalties: { crashed: penalties.crashed ?? 10, hung: penalties.hung ?? 10, restarted: penalties.restarted ?? 5, memory: penalties.memory ?? 10 },
  } as Rubric;
}

export async function loadRubric(file: string): Promise<Rubric> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RubricError(`cannot read rubric ${file}: ${(error as Error).message}`);
  }
  return parseRubric(text, file);
}

/** The most points a rubric gives. */
export function maxPoints(rubric: Rubric): number {
  return Object.values(rubric.suites).reduce((sum, suite) => sum + suite.points, 0);
}

/** `{user.name}`-style placeholders of start commands and files. */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{([a-zA-Z0-9_.-]+)\}/g, (whole, name: string) => values[name] ?? whole);
}
