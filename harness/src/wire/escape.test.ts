import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeForDisplay, escapeKeepingLines, isDisplaySafe } from './escape.ts';

test('terminal escapes from a server are shown, not obeyed', () => {
  assert.equal(escapeForDisplay('220 \x1b[2J\x1b]0;owned\x07 hi'), '220 \\x1b[2J\\x1b]0;owned\\x07 hi');
  assert.equal(escapeForDisplay('a\rb\nc\td\x00e\x7f\u009b'), 'a\\rb\\nc\\td\\x00e\\x7f\\x9b');
});

test('bidi overrides, line separators and XML non-characters become \\u{...}', () => {
  assert.equal(escapeForDisplay('file\u202Etxt.exe'), 'file\\u{202e}txt.exe');
  assert.equal(escapeForDisplay('a\u2028b\uFFFEc'), 'a\\u{2028}b\\u{fffe}c');
  assert.equal(escapeForDisplay('lone \uD800 surrogate'), 'lone \\u{d800} surrogate');
});

test('invalid UTF-8 decoded as Latin-1 shows its bytes', () => {
  assert.equal(escapeForDisplay('caf\u00e9', true), 'caf\\xe9');
  assert.equal(escapeForDisplay('café'), 'café');
});

test('escapeKeepingLines keeps our line breaks, escapes the rest, and is idempotent', () => {
  const once = escapeKeepingLines('expected 226\ngot "550 \x1b[31mno\r"');
  assert.equal(once, 'expected 226\ngot "550 \\x1b[31mno\\r"');
  assert.equal(escapeKeepingLines(once), once);
  assert.ok(isDisplaySafe(once));
  assert.ok(!isDisplaySafe('\x07'));
});
