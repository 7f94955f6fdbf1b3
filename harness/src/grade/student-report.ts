/**
 * One student's report, as Markdown and as a self-contained HTML page: the
 * score, the marks per suite, what went wrong with the server as a process,
 * and each failed case with its warning, expected vs actual, transcript and
 * what to read to fix it. Pure functions of a Grade.
 */
import MarkdownIt from 'markdown-it';
import type { CaseResult } from '../engine/results.ts';
import { formatTranscriptEntry } from '../reporters/format.ts';
import type { Grade } from './score.ts';
import type { Rubric } from './rubric.ts';
import { referenceLink } from './references.ts';
import { redactForStudent } from './redact.ts';

const TRANSCRIPT_LINES = 40;

function failedCases(grade: Grade): CaseResult[] {
  return grade.results.filter((r) => r.status === 'failed' || r.status === 'warned').map(redactForStudent);
}

/** Server text outside code blocks: Markdown's punctuation escaped, so a reply cannot format, link or inject HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#!|~]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ⏎ ');
}

/** A code block whose fence is longer than any run of backticks inside it. */
function codeBlock(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return [fence, text, fence];
}

/** A value: inline if it is one line, a code block if it has several. */
function markdownValue(label: string, text: string): string[] {
  return text.includes('\n') ? [`- ${label}:`, '', ...codeBlock(text), ''] : [`- ${label}: ${escapeMarkdown(text)}`];
}

function skippedCases(grade: Grade): CaseResult[] {
  return grade.results.filter((r) => r.status === 'skipped');
}

function notCheckedCases(grade: Grade): CaseResult[] {
  return grade.results.filter((r) => r.status === 'not-checked');
}

/** Cases grouped by their reason, in first-seen order. */
function byReason(results: CaseResult[]): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  for (const result of results) reasons.set(result.reason ?? '', [...(reasons.get(result.reason ?? '') ?? []), result.info.id]);
  return reasons;
}

export function renderStudentMarkdown(grade: Grade, rubric: Rubric): string {
  const lines = [
    `# ${escapeMarkdown(grade.student)}: ${grade.earned} / ${grade.max} (${grade.percent}%) — ${grade.passed ? 'PASS' : 'FAIL'}`,
    '',
    `Rubric: ${rubric.name}. Pass mark: ${rubric.passMark}%.`,
    '',
    '| suite | marks | passed | failed | not run | not checked |',
    '|---|---|---|---|---|---|',
    ...grade.suites.map((s) => `| ${escapeMarkdown(s.suite)} | ${s.earned} / ${s.points}${s.requiredFailed.length ? ' (required case failed)' : ''} | ${s.passed} | ${s.failed} | ${s.skipped} | ${s.notChecked} |`),
    '',
  ];
  if (grade.problems.length || grade.penalties.length || grade.capped) {
    lines.push('## Problems', '');
    for (const problem of uniqueProblems(grade)) lines.push(`- ${escapeMarkdown(problem)}`);
    for (const penalty of grade.penalties) lines.push(`- penalty −${penalty.points} (${penalty.kind}): ${escapeMarkdown(penalty.detail)}`);
    if (grade.capped) lines.push(`- ${escapeMarkdown(grade.capped)}`);
    lines.push('');
  }
  if (grade.serverStderr) lines.push('## The last lines your server wrote on stderr', '', ...codeBlock(grade.serverStderr), '');
  if (rubric.manual?.length) {
    lines.push('## Marked by hand (not included above)', '', ...rubric.manual.map((item) => `- [ ] ${item.requirement} (${item.points} points)`), '');
  }
  const failed = failedCases(grade);
  lines.push(`## Failed cases (${failed.length})`, '');
  for (const result of failed) {
    lines.push(`### ${result.info.id} — ${result.info.title} [${result.info.severity}]`, '', `> ${result.info.warning}`, '');
    if (result.failure) {
      lines.push(...markdownValue('step', result.failure.step), ...markdownValue('expected', result.failure.expected.join(' / or ')), ...markdownValue('actual', result.failure.actual));
      if (result.failure.detail) lines.push(...markdownValue('detail', result.failure.detail));
    }
    lines.push(`- read: ${result.info.references.map((ref) => (referenceLink(ref) ? `[${ref}](${referenceLink(ref)})` : ref)).join('; ')}`, '');
    const transcript = result.transcript.slice(-TRANSCRIPT_LINES).map(formatTranscriptEntry);
    if (transcript.length) lines.push(...codeBlock(transcript.join('\n')), '');
  }
  const notChecked = notCheckedCases(grade);
  if (notChecked.length) {
    lines.push(`## Not checked (${notChecked.length}): no marks, and not the server's fault`, '');
    for (const [reason, ids] of byReason(notChecked)) lines.push(`- ${escapeMarkdown(reason)}: ${ids.join(', ')}`);
    lines.push('');
  }
  const skipped = skippedCases(grade);
  if (skipped.length) {
    lines.push(`## Not run (${skipped.length})`, '');
    for (const [reason, ids] of byReason(skipped)) lines.push(`- ${escapeMarkdown(reason)}: ${ids.join(', ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
}

/** The spec's own text (titles, warnings) is Markdown: rendered, with raw HTML off so it is escaped too. */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

function specText(text: string): string {
  return markdown.renderInline(text);
}

/** Server text: escaped; in <pre> when it has several lines, so its line breaks survive. */
function value(text: string): string {
  return text.includes('\n') ? `<pre>${escape(text)}</pre>` : escape(text);
}

/** A problem already named by a penalty is listed once, with the penalty. */
export function uniqueProblems(grade: Grade): string[] {
  const penalised = new Set(grade.penalties.map((p) => p.detail));
  return [...new Set(grade.problems)].filter((problem) => !penalised.has(problem));
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1f23}
h1{font-size:1.6rem;margin-bottom:.2rem} .score{font-size:2.4rem;font-weight:700}
.pass{color:#1a7f37}.fail{color:#cf222e} table{border-collapse:collapse;margin:1rem 0;width:100%}
td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;overflow-wrap:anywhere} th{background:#f6f8fa;width:7rem}
.case{border-left:4px solid #cf222e;padding:.2rem 1rem;margin:1.2rem 0;background:#fff8f8}
.case.should{border-color:#bf8700;background:#fffbeb} .warning{font-weight:600}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px} .meta{color:#57606a}
`;

export function renderStudentHtml(grade: Grade, rubric: Rubric): string {
  const failed = failedCases(grade);
  const suiteRows = grade.suites
    .map((s) => `<tr><td>${escape(s.suite)}</td><td>${s.earned} / ${s.points}${s.requiredFailed.length ? ' <em>(required case failed)</em>' : ''}</td><td>${s.passed}</td><td>${s.failed}</td><td>${s.skipped}</td><td>${s.notChecked}</td></tr>`)
    .join('');
  const problems = [
    ...uniqueProblems(grade).map((p) => `<li>${value(p)}</li>`),
    ...grade.penalties.map((p) => `<li>penalty −${p.points} (${escape(p.kind)}): ${value(p.detail)}</li>`),
    ...(grade.capped ? [`<li>${escape(grade.capped)}</li>`] : []),
  ];
  const caseBlocks = failed
    .map((result) => {
      const refs = result.info.references.map((ref) => {
        const link = referenceLink(ref);
        return link ? `<a href="${escape(link)}">${escape(ref)}</a>` : escape(ref);
      });
      const failure = result.failure
        ? `<table><tr><th>step</th><td>${value(result.failure.step)}</td></tr><tr><th>expected</th><td>${result.failure.expected.map(value).join('<br>or ')}</td></tr><tr><th>actual</th><td>${value(result.failure.actual)}</td></tr>${result.failure.detail ? `<tr><th>detail</th><td>${value(result.failure.detail)}</td></tr>` : ''}</table>`
        : '';
      const transcript = result.transcript.slice(-TRANSCRIPT_LINES).map(formatTranscriptEntry).map(escape).join('\n');
      return `<section class="case ${result.info.level === 'should' ? 'should' : ''}" id="${escape(result.info.id)}"><h3>${escape(result.info.id)} — ${specText(result.info.title)}</h3><p class="meta">${escape(result.info.severity)}, ${result.info.level.toUpperCase()}-level</p><p class="warning">${specText(result.info.warning)}</p>${failure}<p>What to read to fix it: ${refs.join('; ')}</p>${transcript ? `<details><summary>transcript</summary><pre>${transcript}</pre></details>` : ''}</section>`;
    })
    .join('\n');
  const skipped = skippedCases(grade);
  const notChecked = notCheckedCases(grade);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(grade.student)} — ${escape(rubric.name)}</title><style>${STYLE}</style></head>
<body>
<h1>${escape(grade.student)}</h1>
<p class="meta">${escape(rubric.name)} · pass mark ${rubric.passMark}%</p>
<p class="score ${grade.passed ? 'pass' : 'fail'}" id="score">${grade.earned} / ${grade.max} (${grade.percent}%) ${grade.passed ? 'PASS' : 'FAIL'}</p>
<table><tr><th>suite</th><th>marks</th><th>passed</th><th>failed</th><th>not run</th><th>not checked</th></tr>${suiteRows}</table>
${problems.length ? `<h2>Problems</h2><ul>${problems.join('')}</ul>` : ''}
${grade.serverStderr ? `<h2>The last lines your server wrote on stderr</h2><pre id="stderr">${escape(grade.serverStderr)}</pre>` : ''}
<h2 id="failed">Failed cases (${failed.length})</h2>
${caseBlocks || '<p>None.</p>'}
${rubric.manual?.length ? `<h2>Marked by hand (not included above)</h2><ul>${rubric.manual.map((item) => `<li>${specText(item.requirement)} (${item.points} points)</li>`).join('')}</ul>` : ''}
${notChecked.length ? `<h2 id="not-checked">Not checked (${notChecked.length}): no marks, and not the server's fault</h2><ul>${[...byReason(notChecked)].map(([reason, ids]) => `<li>${value(reason)}: ${ids.map(escape).join(', ')}</li>`).join('')}</ul>` : ''}
${skipped.length ? `<h2>Not run (${skipped.length})</h2><ul>${skipped.map((r) => `<li>${escape(r.info.id)}: ${value(r.reason ?? '')}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
