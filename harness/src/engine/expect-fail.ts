/**
 * --expect-fail FILE: known deviations of a target, each with a reason.
 * YAML: a list of `{ case: <id or glob>, reason: <why> }`.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

export class ExpectedFailures {
  constructor(private readonly entries: { pattern: RegExp; reason: string }[] = []) {}

  reasonFor(id: string): string | undefined {
    return this.entries.find((entry) => entry.pattern.test(id))?.reason;
  }

  get size(): number {
    return this.entries.length;
  }
}

/** `jail.*` style globs: `*` any run of characters, `?` one. */
export function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

export class ExpectFailError extends Error {}

export async function loadExpectedFailures(file: string): Promise<ExpectedFailures> {
  let parsed: unknown;
  try {
    parsed = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ExpectFailError(`cannot read expect-fail file ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ExpectFailError(`${file}: must be a list of { case, reason }`);
  const entries = parsed.map((entry: unknown, index) => {
    const item = entry as { case?: unknown; reason?: unknown };
    if (typeof item?.case !== 'string' || typeof item.reason !== 'string' || item.reason.trim() === '') {
      throw new ExpectFailError(`${file}: entry ${index + 1} needs "case" (an id or glob) and a non-empty "reason"`);
    }
    return { pattern: globToRegExp(item.case), reason: item.reason };
  });
  return new ExpectedFailures(entries);
}
