/**
 * Loads spec files: YAML parsed with positions, validated against
 * spec.schema.json (ajv), each step against the definition of its kind, then
 * checked for what a schema cannot say (unique ids, ids under their suite,
 * barriers every branch reaches). Errors name the file, line and problem.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import SPEC_SCHEMA from './spec.schema.json' with { type: 'json' };
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { LoadedCase, SpecFile, Step } from './types.ts';

export class SpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

// Imported, not read from disk beside this file: the bundle in dist/ carries it inside.
const SCHEMA = SPEC_SCHEMA as { definitions: Record<string, unknown> };

/** Step kinds by their action key; `data` last because get/list also take a `data` option. */
export const STEP_KINDS = Object.keys(SCHEMA.definitions)
  .filter((name) => name.endsWith('Step'))
  .map((name) => name.slice(0, -4))
  .sort((a, b) => (a === 'data' ? 1 : b === 'data' ? -1 : 0));

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(SCHEMA, 'spec');
const validateFile = ajv.getSchema('spec') as ValidateFunction;
const stepValidators = new Map(STEP_KINDS.map((kind) => [kind, ajv.getSchema(`spec#/definitions/${kind}Step`) as ValidateFunction]));

/** The kind of a step: its one action key. */
export function stepKind(step: object): string | null {
  const keys = Object.keys(step);
  const actions = STEP_KINDS.filter((kind) => kind !== 'data' && keys.includes(kind));
  if (actions.length === 1) return actions[0] as string;
  if (actions.length === 0 && keys.includes('data')) return 'data';
  return null;
}

interface Located {
  problems: string[];
  file: string;
  lineOf(path: (string | number)[]): number;
}

function formatAjvError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'top level' : error.instancePath.slice(1);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${where}: unknown key "${String(params.additionalProperty)}"`;
  if (error.keyword === 'enum') return `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where}: ${error.message}`;
}

function report(located: Located, basePath: (string | number)[], errors: ErrorObject[] | null | undefined): void {
  for (const error of errors ?? []) {
    if (error.keyword === 'if' || error.keyword === 'oneOf') continue;
    located.problems.push(schemaProblem(located.file, located.lineOf, error, basePath));
  }
}

function checkSteps(located: Located, steps: unknown, path: (string | number)[], barriers: Set<string>): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step: unknown, index) => {
    const here = [...path, index];
    if (typeof step !== 'object' || step === null || Array.isArray(step)) {
      located.problems.push(`${located.file}:${located.lineOf(here)}: ${here.join('/')}: a step must be a mapping`);
      return;
    }
    const kind = stepKind(step);
    if (!kind) {
      const found = Object.keys(step).filter((key) => STEP_KINDS.includes(key));
      located.problems.push(
        `${located.file}:${located.lineOf(here)}: ${here.join('/')}: ` +
          (found.length > 1 ? `a step has one action, found ${found.join(' and ')}` : `a step needs one action key: ${STEP_KINDS.join(', ')}`),
      );
      return;
    }
    const validate = stepValidators.get(kind) as ValidateFunction;
    if (!validate(step)) report(located, here, validate.errors);
    const body = step as Record<string, unknown>;
    if (kind === 'barrier') barriers.add(String(body.barrier));
    if (kind === 'repeat') checkSteps(located, (body.repeat as { steps?: unknown }).steps, [...here, 'repeat', 'steps'], barriers);
    if (kind === 'parallel' && Array.isArray(body.parallel)) {
      const perBranch = (body.parallel as { steps?: unknown }[]).map((branch, b) => {
        const seen = new Set<string>();
        checkSteps(located, branch.steps, [...here, 'parallel', b, 'steps'], seen);
        return seen;
      });
      const all = new Set(perBranch.flatMap((set) => [...set]));
      for (const name of all) {
        if (!perBranch.every((set) => set.has(name))) {
          located.problems.push(`${located.file}:${located.lineOf(here)}: barrier "${name}" must be reached by every parallel branch, or it would wait forever`);
        }
      }
    }
  });
}

/**
 * A YAML document parsed with its positions kept: syntax errors as
 * `file:line:column: YAML: ...` problems, and the line of any path. Specs,
 * stress scenarios and target profiles all read YAML through it, so every
 * malformed file names where it went wrong.
 */
export interface LocatedYaml {
  document: Document.Parsed;
  /** Syntax errors, each naming file, line and column. */
  problems: string[];
  /**
   * The line of a path: of the key itself when the path ends at a mapping key
   * (where the reader looks for it), else of the deepest node that exists.
   */
  lineOf(path: (string | number)[]): number;
}

export function parseYamlLocated(text: string, file: string): LocatedYaml {
  const lineCounter = new LineCounter();
  // Positions come from the offsets (error.pos), which the parser always sets;
  // its prettified linePos is left off because it repeats the source in the message.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const lineOf = (path: (string | number)[]): number => {
    for (let length = path.length; length > 0; length--) {
      const parent = length === 1 ? document.contents : document.getIn(path.slice(0, length - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[length - 1]);
        const key = pair?.key as Node | undefined;
        if (key?.range) return lineAt(key.range[0]);
      }
      const node = document.getIn(path.slice(0, length), true) as Node | undefined;
      if (node?.range) return lineAt(node.range[0]);
    }
    const top = document.contents as Node | null;
    return top?.range ? lineAt(top.range[0]) : 1;
  };
  const problems = document.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return `${file}:${line}:${col}: YAML: ${error.message.split('\n')[0]}`;
  });
  return { document, problems, lineOf };
}

/** One ajv error as `file:line: where: what`, the line being the offending key's. */
export function schemaProblem(file: string, lineOf: LocatedYaml['lineOf'], error: ErrorObject, basePath: (string | number)[] = []): string {
  const relativePath = error.instancePath.split('/').filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const path = [...basePath, ...relativePath];
  const extra = error.keyword === 'additionalProperties' ? [String((error.params as Record<string, unknown>).additionalProperty)] : [];
  const shown = { ...error, instancePath: path.length ? '/' + path.join('/') : '' };
  return `${file}:${lineOf([...path, ...extra])}: ${formatAjvError(shown)}`;
}

/** Parses YAML keeping positions: the line of any path, and YAML syntax errors as problems. */
function locate(text: string, file: string) {
  const { document, problems, lineOf } = parseYamlLocated(text, file);
  const located: Located = { problems: [...problems], file, lineOf };
  return { document, located };
}

/** Parses and checks one spec file's text. */
export function parseSpec(text: string, file: string): { spec: SpecFile; cases: LoadedCase[]; problems: string[] } {
  const { document, located } = locate(text, file);
  const { lineOf } = located;
  if (located.problems.length > 0) return { spec: { suite: '', cases: [] }, cases: [], problems: located.problems };
  const spec = document.toJS() as SpecFile;
  if (!validateFile(spec)) report(located, [], validateFile.errors);
  if (isMap(document.contents) && isSeq(document.get('cases'))) {
    (spec.cases ?? []).forEach((specCase, index) => {
      if (!specCase || typeof specCase !== 'object') return;
      if (specCase.id && spec.suite && !specCase.id.startsWith(`${spec.suite}.`)) {
        located.problems.push(`${file}:${lineOf(['cases', index, 'id'])}: case id "${specCase.id}" must start with its suite "${spec.suite}."`);
      }
      for (const key of ['steps', 'cleanup'] as const) checkSteps(located, specCase[key], ['cases', index, key], new Set());
    });
  }
  const cases: LoadedCase[] = located.problems.length
    ? []
    : spec.cases.map((specCase, index) => ({ ...specCase, suite: spec.suite, file, line: lineOf(['cases', index]) }));
  return { spec, cases, problems: located.problems };
}

/**
 * Parses a document holding a `steps:` list outside any spec file (a stress
 * scenario): each step is checked against the definition of its kind, as in a
 * case. `keys` are the top-level keys allowed besides `steps`.
 */
export function parseStepsDocument(text: string, file: string, keys: readonly string[] = []): { document: Record<string, unknown>; steps: Step[]; problems: string[] } {
  const { document, located } = locate(text, file);
  const { lineOf } = located;
  if (located.problems.length > 0) return { document: {}, steps: [], problems: located.problems };
  const value = document.toJS() as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { document: {}, steps: [], problems: [`${file}:1: a mapping with a "steps" list is expected`] };
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) if (key !== 'steps' && !keys.includes(key)) located.problems.push(`${file}:${lineOf([key])}: unknown key "${key}"`);
  if (!Array.isArray(body.steps) || body.steps.length === 0) located.problems.push(`${file}:${lineOf(['steps'])}: "steps" must be a list of at least one step`);
  else checkSteps(located, body.steps, ['steps'], new Set());
  return { document: body, steps: located.problems.length === 0 ? (body.steps as Step[]) : [], problems: located.problems };
}

async function specFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await specFiles(child)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(child);
  }
  return out;
}

/** Loads every spec under the given files or folders; throws SpecError listing every problem. */
export async function loadSpecs(paths: string[], cwd = process.cwd()): Promise<LoadedCase[]> {
  const problems: string[] = [];
  const cases: LoadedCase[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = await specFiles(path);
    } catch {
      problems.push(`${path}: no such spec file or folder`);
      continue;
    }
    for (const file of files) {
      const shown = relative(cwd, file) || file;
      const parsed = parseSpec(await readFile(file, 'utf8'), shown);
      problems.push(...parsed.problems);
      cases.push(...parsed.cases);
    }
  }
  const seen = new Map<string, LoadedCase>();
  for (const loaded of cases) {
    const first = seen.get(loaded.id);
    if (first) problems.push(`${loaded.file}:${loaded.line}: case id "${loaded.id}" is also used at ${first.file}:${first.line}`);
    else seen.set(loaded.id, loaded);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return cases;
}

export type { Step };
