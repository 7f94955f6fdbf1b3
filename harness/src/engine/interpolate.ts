/**
 * `${name}` substitution in step text, pure. Unknown names are an error that
 * names them, so a typo in a spec never silently sends `${usr}` to a server.
 * `${name|fallback}` stands for the fallback when `name` is unknown (a limit
 * the target does not declare).
 */

export type Variables = ReadonlyMap<string, string>;

export class InterpolationError extends Error {}

export function interpolate(text: string, variables: Variables): string {
  return text.replace(/\$\{([A-Za-z0-9_.:-]+)(?:\|([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => {
    const value = variables.get(name) ?? fallback;
    if (value === undefined) throw new InterpolationError(`unknown variable \${${name}} (known: ${[...variables.keys()].sort().join(', ')})`);
    return value;
  });
}

/**
 * A number given as a literal or as text with variables, e.g. `${quota.limit}`,
 * `${quota.limit}+1` or `${p1}*256+${p2}`: whole numbers joined by `+`, `-` and
 * `*` (`*` binds tighter), nothing else.
 */
export function interpolateNumber(value: number | string, variables: Variables): number {
  if (typeof value === 'number') return value;
  const text = interpolate(value, variables).trim();
  const number = /^\d+(\s*[-+*]\s*\d+)+$/.test(text) ? evaluateSum(text) : Number(text);
  if (!Number.isFinite(number)) throw new InterpolationError(`"${value}" is not a number (got "${text}")`);
  return number;
}

/** `a*b+c-d` with whole numbers, already checked to hold only digits and operators. */
function evaluateSum(text: string): number {
  let total = 0;
  for (const term of text.replace(/\s+/g, '').match(/[-+]?[^-+]+/g) ?? []) {
    const sign = term.startsWith('-') ? -1 : 1;
    total += sign * term.replace(/^[-+]/, '').split('*').reduce((product, factor) => product * Number(factor), 1);
  }
  return total;
}
