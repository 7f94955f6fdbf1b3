/**
 * Splits one shell line into its command name, its words and the raw rest
 * (for `quote` and `site`, which pass the line on as typed). Words may be
 * quoted with ' or " to hold spaces. Pure.
 */
import { splitWords } from '../cli/split-words.ts';
import { maskLine } from '../wire/transcript.ts';

export interface CommandLine {
  name: string;
  args: string[];
  /** Everything after the name, untouched but for the leading blanks. */
  rest: string;
}

/** null for a blank line or a `#` comment. */
export function parseCommandLine(line: string): CommandLine | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const match = /^(\S+)\s*(.*)$/s.exec(trimmed) as RegExpExecArray;
  const rest = match[2] as string;
  return { name: (match[1] as string).toLowerCase(), args: splitWords(rest), rest };
}

/** The line as it may be shown: the password of `user NAME PASSWORD` and the secrets of raw lines (PASS, SITE ADDUSER...) masked. */
export function maskCommandLine(line: string): string {
  let parsed: CommandLine | null;
  try {
    parsed = parseCommandLine(line);
  } catch {
    // Unclosed quotes: everything after the command's name may be a secret.
    return `${line.trim().split(/\s+/)[0] ?? ''} ***`;
  }
  if (!parsed) return line.trim();
  if ((parsed.name === 'user' || parsed.name === 'login') && parsed.args.length > 1) return `${parsed.name} ${parsed.args[0]} ***`;
  if (parsed.name === 'quote' || parsed.name === 'raw') return `${parsed.name} ${maskLine(parsed.rest).text}`;
  if (parsed.name === 'site') return `site ${maskLine(`SITE ${parsed.rest}`).text.slice(5)}`;
  return line.trim();
}
