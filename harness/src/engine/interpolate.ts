/**
 * `${name}` substitution in step text, pure. Unknown names are an error that
 * names them, so a typo in a spec never silently sends `${usr}` to a server.
 */

export type Variables = ReadonlyMap<string, string>;

export class InterpolationError extends Error {}

export function interpolate(text: string, variables: Variables): string {
  return text.replace(/\$\{([A-Za-z0-9_.:-]+)\}/g, (_whole, name: string) => {
    const value = variables.get(name);
    if (value === undefined) throw new InterpolationError(`unknown variable \${${name}} (known: ${[...variables.keys()].sort().join(', ')})`);
    return value;
  });
}

/** A number given as a literal or as text with variables, e.g. `${quota.limit}`. */
export function interpolateNumber(value: number | string, variables: Variables): number {
  if (typeof value === 'number') return value;
  const text = interpolate(value, variables).trim();
  const expression = /^(\d+)\s*([+-])\s*(\d+)$/.exec(text);
  const number = expression ? Number(expression[1]) + (expression[2] === '+' ? 1 : -1) * Number(expression[3]) : Number(text);
  if (!Number.isFinite(number)) throw new InterpolationError(`"${value}" is not a number (got "${text}")`);
  return number;
}
