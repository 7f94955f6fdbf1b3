/** The class gradebook: one row per student, a column per suite. CSV and Markdown, pure. */
import type { Grade } from './score.ts';
import { escapeMarkdown, uniqueProblems } from './student-report.ts';

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Best first; ties by name. */
export function rank(grades: Grade[]): Grade[] {
  return [...grades].sort((a, b) => b.earned - a.earned || a.student.localeCompare(b.student));
}

function problemsOf(grade: Grade): string {
  return [...uniqueProblems(grade), ...grade.penalties.map((p) => `${p.kind} −${p.points}: ${p.detail}`), ...(grade.capped ? [grade.capped] : [])].join('; ');
}

export function renderGradebookCsv(grades: Grade[]): string {
  const suites = grades[0]?.suites.map((s) => s.suite) ?? [];
  const header = ['rank', 'student', ...suites, 'penalties', 'total', 'max', 'percent', 'result', 'problems'];
  const rows = rank(grades).map((grade, index) => [
    index + 1,
    grade.student,
    ...suites.map((suite) => grade.suites.find((s) => s.suite === suite)?.earned ?? 0),
    grade.penalties.reduce((sum, p) => sum + p.points, 0),
    grade.earned,
    grade.max,
    grade.percent,
    grade.passed ? 'pass' : 'fail',
    problemsOf(grade),
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export function renderGradebookMarkdown(grades: Grade[], title: string): string {
  const suites = grades[0]?.suites.map((s) => s.suite) ?? [];
  const lines = [
    `# Gradebook: ${title}`,
    '',
    `| # | student | ${suites.join(' | ')} | penalties | total | % | result | problems |`,
    `|---|---|${suites.map(() => '---|').join('')}---|---|---|---|---|`,
  ];
  rank(grades).forEach((grade, index) => {
    const cells = suites.map((suite) => {
      const score = grade.suites.find((s) => s.suite === suite);
      return score ? `${score.earned}/${score.points}` : '—';
    });
    const penalties = grade.penalties.reduce((sum, p) => sum + p.points, 0);
    const problems = escapeMarkdown(problemsOf(grade)) || '—';
    lines.push(`| ${index + 1} | [${escapeMarkdown(grade.student)}](${encodeURIComponent(grade.student)}/report.html) | ${cells.join(' | ')} | ${penalties ? `−${penalties}` : '0'} | ${grade.earned}/${grade.max} | ${grade.percent} | ${grade.passed ? 'pass' : 'fail'} | ${problems} |`);
  });
  return lines.join('\n') + '\n';
}
