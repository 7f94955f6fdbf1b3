/**
 * A student's report never carries the grading machine's content. When a
 * jail case catches the server handing out a host file or listing, the
 * report keeps what the student needs (which path, how many bytes, a short
 * excerpt such as `root:x:0:0:…`) and withholds the rest. Pure.
 */
import type { CaseResult } from '../engine/results.ts';
import type { TranscriptEntry } from '../wire/transcript.ts';

/** How much of the first line an excerpt shows: enough for `root:x:0:0:`. */
const EXCERPT_CHARS = 11;

/** `data "…"` (with an optional `… (N bytes)`), as the engine describes received data. */
const DATA = /^data "((?:[^"\\]|\\.)*)"(…)?(?: \((\d+) bytes\))?$/s;

function decoded(quoted: string): string {
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

/** What a case asked for, from its step (`step 2: get ../../etc/passwd` -> `../../etc/passwd`). */
function requestedPath(step: string): string | null {
  return /^step \d+: (?:send [A-Za-z]+|get|list|nlst|mlsd|retr) (\S.*)$/.exec(step)?.[1] ?? null;
}

function excerptOf(content: string): string {
  const firstLine = content.split(/\r?\n/)[0] ?? '';
  return firstLine.length > EXCERPT_CHARS || content.length > firstLine.length ? `${firstLine.slice(0, EXCERPT_CHARS)}…` : firstLine;
}

/** Received data, or a reply of several lines (a STAT listing), becomes its size and a short excerpt. */
export function redactHostData(text: string, step: string): string {
  const match = DATA.exec(text);
  if (!match && !text.includes('\n')) return text;
  const content = match ? decoded(match[1] ?? '') : text;
  const bytes = match?.[3] ? Number(match[3]) : Buffer.byteLength(content, 'latin1');
  const size = match ? `${bytes} bytes` : `${content.split('\n').length} lines (${bytes} bytes)`;
  const path = requestedPath(step);
  return `${size} of the grading machine's ${path ? `file or folder (asked for ${path})` : 'files'}, starting ${JSON.stringify(excerptOf(content))} (the rest is withheld from this report)`;
}

const REPLY_LINE = /^\d{3}[ -]/;

/** Continuation lines of multi-line replies (where a STAT or HELP listing of host files lands) collapse into one withheld entry. */
function redactTranscript(transcript: TranscriptEntry[]): TranscriptEntry[] {
  const kept: TranscriptEntry[] = [];
  let withheld = 0;
  const flush = (atMs: number, channel: string) => {
    if (withheld > 0) kept.push({ atMs, direction: 'note', channel, text: `${withheld} line(s) of the reply withheld from this report` });
    withheld = 0;
  };
  for (const entry of transcript) {
    if (entry.direction === 'received' && !REPLY_LINE.test(entry.text)) {
      withheld++;
      continue;
    }
    flush(entry.atMs, entry.channel);
    kept.push(entry);
  }
  flush(transcript[transcript.length - 1]?.atMs ?? 0, transcript[transcript.length - 1]?.channel ?? 'main');
  return kept;
}

/** The result with host content replaced in its failure, for a jail case; other cases are returned as they are. (Transcripts hold the control channel only: data bytes never enter them; long replies are cut to their status lines.) */
export function redactForStudent(result: CaseResult): CaseResult {
  if (result.info.suite !== 'jail' || !result.failure) return result;
  const { failure } = result;
  return {
    ...result,
    failure: { ...failure, actual: redactHostData(failure.actual, failure.step), detail: failure.detail === undefined ? undefined : redactHostData(failure.detail, failure.step) },
    transcript: redactTranscript(result.transcript),
  };
}
