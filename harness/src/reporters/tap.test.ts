import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { CaseResult } from '../engine/results.ts';
import { createTapReporter, renderTap } from './tap.ts';
import { declared, results, runEvents } from './reporter-fixtures.ts';

interface TestPoint {
  ok: boolean;
  number: number;
  description: string;
  directive?: { kind: 'SKIP' | 'TODO'; reason: string };
  diagnostic?: Record<string, unknown>;
}

// `ok 3 - description # SKIP reason`: the description may hold `\#` and `\\` but no bare `#`.
const TEST_POINT = /^(not ok|ok) (\d+) - ((?:[^#\\]|\\[#\\])*?)(?: # (SKIP|TODO)(?: (.*))?)?$/;

/**
 * A structural check of TAP version 14, line by line: the version line first, one
 * plan matching the count of test points, points numbered 1..N in order, and YAML
 * blocks right after a point, indented two spaces, closed, parsing to a mapping.
 */
function checkTap14(text: string): TestPoint[] {
  assert.ok(text.endsWith('\n'), 'TAP ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines[0], 'TAP version 14', 'the first line is the version');
  const points: TestPoint[] = [];
  let plan: number | undefined;
  let planAt = -1;
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index]!;
    const plan_ = /^1\.\.(\d+)(?: # .*)?$/.exec(line);
    if (plan_) {
      assert.equal(plan, undefined, 'only one plan');
      plan = Number(plan_[1]);
      planAt = index;
      continue;
    }
    const point = TEST_POINT.exec(line);
    if (point) {
      const parsed: TestPoint = { ok: point[1] === 'ok', number: Number(point[2]), description: point[3]! };
      if (point[4]) parsed.directive = { kind: point[4] as 'SKIP' | 'TODO', reason: point[5] ?? '' };
      assert.equal(parsed.number, points.length + 1, `test point numbered in order at line ${index + 1}`);
      points.push(parsed);
      continue;
    }
    if (line === '  ---') {
      const previous = lines[index - 1] ?? '';
      assert.ok(TEST_POINT.test(previous), `a YAML block follows a test point (line ${index + 1})`);
      const body: string[] = [];
      index += 1;
      while (index < lines.length && lines[index] !== '  ...') {
        const yamlLine = lines[index]!;
        assert.ok(yamlLine.startsWith('  '), `YAML line indented two spaces: ${JSON.stringify(yamlLine)}`);
        body.push(yamlLine.slice(2));
        index += 1;
      }
      assert.equal(lines[index], '  ...', 'YAML block is closed');
      const doc: unknown = parseYaml(body.join('\n'));
      assert.ok(doc !== null && typeof doc === 'object' && !Array.isArray(doc), 'YAML block is a mapping');
      points.at(-1)!.diagnostic = doc as Record<string, unknown>;
      continue;
    }
    assert.ok(line === '' || line.startsWith('#'), `line ${index + 1} is not TAP: ${JSON.stringify(line)}`);
  }
  assert.notEqual(plan, undefined, 'a plan is present');
  assert.ok(planAt === 1 || planAt === lines.length - 1, 'the plan comes first or last');
  assert.equal(points.length, plan, 'plan matches the count of test points');
  return points;
}

describe('TAP 14 reporter', () => {
  it('writes valid TAP 14 to the file on run-end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftp-check-tap-'));
    try {
      const file = join(dir, 'out', 'report.tap');
      const reporter = createTapReporter(file);
      for (const event of runEvents()) await reporter.onEvent(event);
      const points = checkTap14(await readFile(file, 'utf8'));
      assert.equal(points.length, 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('marks each outcome the TAP way', () => {
    const text = renderTap(runEvents().flatMap((event) => (event.type === 'case-end' ? [event.result] : [])), declared);
    const points = checkTap14(text);
    assert.deepEqual(
      points.map((point) => [point.ok, point.description, point.directive?.kind, point.directive?.reason]),
      [
        [true, 'user-pass USER then PASS logs in', undefined, undefined],
        [true, 'feat-utf8 FEAT lists UTF8', undefined, undefined],
        [true, 'site-help SITE HELP lists commands', 'SKIP', 'server does not implement SITE'],
        [false, 'cwd-escape CWD ../.. cannot leave the jail', undefined, undefined],
        [false, 'symlink-escape a symlink cannot point out of the jail', 'TODO', 'known bug \\#12: symlinks are followed'],
        [true, 'pwd-root PWD at login shows /', undefined, undefined],
      ],
    );
    assert.match(text, /^# rfc959\nok 1 /m);
    assert.match(text, /^# jail\nnot ok 4 /m);
  });

  it('carries severity, message, expected, actual and references in the YAML block of a failure', () => {
    const points = checkTap14(renderTap(Object.values(results), declared));
    const failed = points.find((point) => point.description.startsWith('cwd-escape'));
    assert.deepEqual(
      {
        ...failed?.diagnostic,
        transcript: undefined,
        duration_ms: undefined,
      },
      {
        severity: 'critical',
        level: 'must',
        message: 'A logged-in user can leave their home folder with CWD ../.. and read the whole disk.',
        step: 'step 3: send CWD ../..',
        expected: ['550 reply', '553 reply', '250 reply that stays at /'],
        actual: '250 CWD command successful, then PWD showed "/etc"',
        detail: 'real path /etc reached from home /srv/ftp/alice',
        references: ['RFC 959 §4.1.1', 'lab requirement J-1'],
        transcript: undefined,
        duration_ms: undefined,
      },
    );
    assert.equal(failed?.diagnostic?.duration_ms, 43);
    const transcript = failed?.diagnostic?.transcript as string[];
    assert.equal(transcript.length, 12);
    assert.equal(transcript.at(-1), '+42ms control # left the jail');

    const warned = points.find((point) => point.description.startsWith('feat-utf8'));
    assert.equal(warned?.ok, true);
    assert.equal(warned?.diagnostic?.note, 'SHOULD-level deviation, counted as a failure with --strict');
    const passed = points.find((point) => point.description.startsWith('user-pass'));
    assert.equal(passed?.diagnostic, undefined);
  });

  it('escapes # and backslashes in descriptions so a title cannot fake a directive', () => {
    const hostile: CaseResult = {
      ...results.pwdRoot,
      info: { ...results.pwdRoot.info, id: 'odd', title: 'C:\\dir # SKIP not really\nsecond line' },
    };
    const text = renderTap([hostile]);
    const points = checkTap14(text);
    assert.equal(points.length, 1);
    assert.equal(points[0]?.directive, undefined);
    assert.equal(points[0]?.description, 'odd C:\\\\dir \\# SKIP not really second line');
  });

  it('writes a plan of 1..0 for an empty run', () => {
    assert.equal(renderTap([]), 'TAP version 14\n1..0\n');
    assert.deepEqual(checkTap14(renderTap([])), []);
  });
});

describe('the TAP 14 structural check itself', () => {
  it('rejects broken TAP', () => {
    const broken = {
      'no version line': '1..1\nok 1 - a\n',
      'plan does not match': 'TAP version 14\n1..2\nok 1 - a\n',
      'numbering skips': 'TAP version 14\n1..2\nok 1 - a\nok 3 - b\n',
      'YAML not indented': 'TAP version 14\n1..1\nnot ok 1 - a\n  ---\nseverity: x\n  ...\n',
      'YAML not closed': 'TAP version 14\n1..1\nnot ok 1 - a\n  ---\n  severity: x\n',
      'YAML not after a test point': 'TAP version 14\n1..1\n# c\n  ---\n  a: 1\n  ...\nok 1 - a\n',
      'stray text': 'TAP version 14\n1..1\nok 1 - a\nhello\n',
    };
    for (const [why, text] of Object.entries(broken)) {
      assert.throws(() => checkTap14(text), assert.AssertionError, why);
    }
  });
});
