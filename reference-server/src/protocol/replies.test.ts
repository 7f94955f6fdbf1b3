import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReply, Reply } from './replies.ts';

/**
 * How a client reads replies (RFC 959 §4.2): a line `ddd-` opens a multi-line
 * reply that ends at the first line starting with the same `ddd `. Returns the
 * replies found, to show what a client would see.
 */
function clientView(bytes: string): { code: number; lines: string[] }[] {
  assert.ok(bytes.endsWith('\r\n'), 'a reply ends with CRLF');
  const lines = bytes.slice(0, -2).split('\r\n');
  const replies: { code: number; lines: string[] }[] = [];
  let open: string[] | null = null;
  for (const line of lines) {
    if (open) {
      open.push(line);
      if (line.startsWith(`${(open[0] as string).slice(0, 3)} `)) {
        replies.push({ code: Number(line.slice(0, 3)), lines: open });
        open = null;
      }
    } else if (/^\d{3}-/.test(line)) {
      open = [line];
    } else {
      assert.match(line, /^\d{3} /, `a reply line a client cannot read: ${JSON.stringify(line)}`);
      replies.push({ code: Number(line.slice(0, 3)), lines: [line] });
    }
  }
  assert.equal(open, null, 'an unterminated multi-line reply');
  return replies;
}

describe('formatReply', () => {
  it('one line: `code text` CRLF', () => {
    assert.equal(formatReply(200, 'NOOP ok.'), '200 NOOP ok.\r\n');
    assert.equal(formatReply(Reply.fileUnavailable, 'No such file or directory.'), '550 No such file or directory.\r\n');
  });

  it('a one-element array is one line', () => {
    assert.equal(formatReply(257, ['"/" is the current directory.']), '257 "/" is the current directory.\r\n');
  });

  it('empty text still gives a well-formed line', () => {
    assert.equal(formatReply(200, ''), '200 \r\n');
    assert.equal(formatReply(200, []), '200 \r\n');
  });

  it('multi-line: `code-first`, inner lines indented, `code last` (RFC 959 §4.2)', () => {
    assert.equal(formatReply(211, ['Features:', 'SIZE', 'MDTM', 'End']), '211-Features:\r\n SIZE\r\n MDTM\r\n211 End\r\n');
    assert.equal(formatReply(214, ['first', 'last']), '214-first\r\n214 last\r\n');
  });

  it('an inner line that starts with the code cannot end the reply early', () => {
    const bytes = formatReply(211, ['Features:', '211 End', '226 Transfer complete.', 'End']);
    const replies = clientView(bytes);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.code, 211);
    assert.equal(replies[0]?.lines.length, 4);
  });

  const injections = [
    'x\r\n230 Login successful.',
    'x\n230 Login successful.',
    'x\r230 Login successful.',
    'a\0b',
    '\r\n\r\n',
    'name\r\n550-\r\n550 ',
  ];
  for (const text of injections) {
    it(`CR/LF/NUL in the text cannot break framing: ${JSON.stringify(text)}`, () => {
      const bytes = formatReply(550, text);
      assert.equal(bytes.indexOf('\r\n'), bytes.length - 2, 'only the final CRLF');
      assert.ok(!/[\r\n\0]/.test(bytes.slice(0, -2)));
      const replies = clientView(bytes);
      assert.deepEqual(replies.map((reply) => reply.code), [550]);

      const multi = formatReply(211, ['Status:', text, 'End']);
      assert.deepEqual(clientView(multi).map((reply) => reply.code), [211]);
      assert.equal(multi.split('\r\n').length, 4, '3 lines and the final CRLF');
    });
  }
});

describe('Reply codes', () => {
  it('are three-digit codes of the right class, named once', () => {
    for (const [name, code] of Object.entries(Reply)) {
      assert.ok(code >= 100 && code <= 599, `${name}=${code}`);
    }
    assert.equal(Reply.syntaxError, 500);
    assert.equal(Reply.argumentSyntaxError, 501);
    assert.equal(Reply.badSequence, 503);
    assert.equal(Reply.notLoggedIn, 530);
    assert.equal(Reply.fileUnavailable, 550);
    assert.equal(Reply.serviceNotAvailable, 421);
    assert.equal(Reply.enteringExtendedPassive, 229);
  });
});
