import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, parseYamlLocated, loadSpecs, SpecError, stepKind } from './loader.ts';
import { DEFAULT_SPECS } from '../cli/run-command.ts';

const GOOD = `suite: demo
cases:
  - id: demo.one
    title: One case
    severity: minor
    references: [RFC 959]
    warning: Something went wrong here.
    steps:
      - login: user
      - send: NOOP
        expect: { code: 200 }
`;

test('a valid spec loads with the line of each case', () => {
  const { cases, problems } = parseSpec(GOOD, 'demo.yaml');
  assert.deepEqual(problems, []);
  assert.equal(cases[0]?.id, 'demo.one');
  assert.equal(cases[0]?.line, 3);
  assert.equal(cases[0]?.suite, 'demo');
});

test('schema errors name the file, the line and the problem', () => {
  const bad = GOOD.replace('severity: minor', 'severity: huge').replace('expect: { code: 200 }', 'expect: { code: 200, cod: 1 }');
  const { problems } = parseSpec(bad, 'demo.yaml');
  assert.ok(problems.some((p) => /^demo\.yaml:5: cases\/0\/severity: must be one of "critical"/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^demo\.yaml:1[01]: .*unknown key "cod"/.test(p)), problems.join('\n'));
});

test('a step with two actions, an unknown action, or a bad barrier is refused', () => {
  const twoActions = GOOD.replace('      - send: NOOP\n', '      - send: NOOP\n        cd: x\n');
  assert.match(parseSpec(twoActions, 'x.yaml').problems.join('\n'), /a step has one action, found send and cd/);
  const unknown = GOOD.replace('      - login: user', '      - fly: away');
  assert.match(parseSpec(unknown, 'x.yaml').problems.join('\n'), /a step needs one action key/);
  const barrier = GOOD.replace(
    '      - login: user',
    '      - parallel:\n          - session: a\n            steps: [{ barrier: b }]\n          - session: b\n            steps: [{ sleep: 1 }]',
  );
  assert.match(parseSpec(barrier, 'x.yaml').problems.join('\n'), /barrier "b" must be reached by every parallel branch/);
});

test('YAML syntax errors and ids outside their suite are reported', () => {
  assert.match(parseSpec('suite: [unclosed', 'y.yaml').problems.join('\n'), /^y\.yaml:1:\d+: YAML:/);
  assert.match(parseSpec(GOOD.replace('id: demo.one', 'id: other.one'), 'z.yaml').problems.join('\n'), /must start with its suite "demo\."/);
});

test('a YAML syntax error deep in a file names its own line and column, not line 1', () => {
  // A tab indents the key on line 7: YAML forbids tabs in indentation.
  const bad = GOOD.replace('    warning: Something', '\twarning: Something');
  const [first] = parseSpec(bad, 'deep.yaml').problems;
  assert.match(first ?? '', /^deep\.yaml:7:1: YAML: /);
  const duplicate = GOOD.replace('    severity: minor', '    severity: minor\n    severity: major');
  assert.match(parseSpec(duplicate, 'dup.yaml').problems.join('\n'), /^dup\.yaml:6:5: YAML: Map keys must be unique/);
});

test('a schema error names the line of the offending key, even when its value is on a later line', () => {
  const bad = GOOD.replace('    severity: minor', '    severity:\n      huge').replace('    warning: Something', '    bogus:\n      - 1\n    warning: Something');
  const problems = parseSpec(bad, 'key.yaml').problems.join('\n');
  assert.match(problems, /^key\.yaml:5: cases\/0\/severity: must be one of/m);
  assert.match(problems, /^key\.yaml:8: cases\/0: unknown key "bogus"/m);
});

test('parseYamlLocated gives the line of keys and values for any YAML file', () => {
  const located = parseYamlLocated('a: 1\nb:\n  c:\n    - x\n    - y\n', 'p.yaml');
  assert.deepEqual(located.problems, []);
  assert.equal(located.lineOf(['b', 'c']), 3);
  assert.equal(located.lineOf(['b', 'c', 1]), 5);
  assert.equal(located.lineOf(['b', 'missing']), 2);
});

test('stepKind tells get/list options from the data step', () => {
  assert.equal(stepKind({ get: 'x', data: {} }), 'get');
  assert.equal(stepKind({ data: {}, command: 'RETR x' }), 'data');
  assert.equal(stepKind({ send: 'x', cd: 'y' }), null);
});

test('every bundled spec is valid and ids are unique', async () => {
  const cases = await loadSpecs([DEFAULT_SPECS]);
  assert.ok(cases.length > 0);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length);
});

test('loadSpecs gathers problems from every file and throws a SpecError', async () => {
  await assert.rejects(loadSpecs(['/nonexistent/specs']), (error: unknown) => error instanceof SpecError && /no such spec file or folder/.test(error.message));
});
