/**
 * Every event is made safe once, before any reporter sees it: server text inside a
 * failure, a skip reason, a capability name read from FEAT or a transcript line is
 * escaped (wire/escape.ts), so no reporter can print an escape sequence or write a
 * character its file format forbids, however it renders. Escaping is idempotent, so
 * text escaped already (transcripts) passes unchanged.
 */
import type { CaseInfo, CaseResult, Failure, RunEvent } from '../engine/results.ts';
import { escapeKeepingLines } from '../wire/escape.ts';

const safe = escapeKeepingLines;

function safeInfo(info: CaseInfo): CaseInfo {
  return { ...info, id: safe(info.id), title: safe(info.title), warning: safe(info.warning), references: info.references.map(safe), file: safe(info.file) };
}

function safeFailure(failure: Failure): Failure {
  return { ...failure, step: safe(failure.step), expected: failure.expected.map(safe), actual: safe(failure.actual), ...(failure.detail === undefined ? {} : { detail: safe(failure.detail) }), ...(failure.reply === undefined ? {} : { reply: { code: failure.reply.code, text: safe(failure.reply.text) } }) };
}

export function safeResult(result: CaseResult): CaseResult {
  return {
    ...result,
    info: safeInfo(result.info),
    ...(result.failure ? { failure: safeFailure(result.failure) } : {}),
    ...(result.reason === undefined ? {} : { reason: safe(result.reason) }),
    ...(result.message === undefined ? {} : { message: safe(result.message) }),
    ...(result.harnessError === undefined ? {} : { harnessError: safe(result.harnessError) }),
    transcript: result.transcript.map((entry) => ({ ...entry, channel: safe(entry.channel), text: safe(entry.text) })),
  };
}

export function safeEvent(event: RunEvent): RunEvent {
  switch (event.type) {
    case 'run-start':
      return { ...event, target: safe(event.target), cases: event.cases.map(safeInfo), capabilities: event.capabilities.map(safe) };
    case 'case-start':
      return { ...event, info: safeInfo(event.info) };
    case 'case-end':
      return { ...event, result: safeResult(event.result) };
    case 'notice':
      return { ...event, message: safe(event.message) };
    case 'run-end':
      return { ...event, summary: { ...event.summary, target: safe(event.summary.target), notices: event.summary.notices.map(safe) }, results: event.results.map(safeResult) };
  }
}
