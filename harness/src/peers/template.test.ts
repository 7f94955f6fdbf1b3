import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillTemplate, parseFlagsFile, TemplateError } from './template.ts';

test('fillTemplate replaces every placeholder, repeated ones included', () => {
  assert.equal(fillTemplate('a={{A}} b={{B_2}} again={{A}}', { A: 'x', B_2: 21 }), 'a=x b=21 again=x');
});

test('fillTemplate leaves non-placeholder braces and $USER alone', () => {
  assert.equal(fillTemplate('local_root={{ROOT}}/home/$USER {x} {{lower}}', { ROOT: '/r' }), 'local_root=/r/home/$USER {x} {{lower}}');
});

test('fillTemplate refuses a missing value', () => {
  assert.throws(() => fillTemplate('port={{PORT}}', {}), (error: unknown) => error instanceof TemplateError && /\{\{PORT\}\}/.test(error.message));
});

test('fillTemplate refuses a value that would add a line to the config', () => {
  assert.throws(() => fillTemplate('root={{ROOT}}', { ROOT: '/tmp/x\nanon_upload_enable=YES' }), TemplateError);
});

test('parseFlagsFile keeps one argument per line, without comments and blanks', () => {
  assert.deepEqual(parseFlagsFile('# comment\n\n--bind=1,2\r\n  --chrooteveryone  \n#--off\n'), ['--bind=1,2', '--chrooteveryone']);
});
