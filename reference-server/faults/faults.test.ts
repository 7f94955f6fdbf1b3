/**
 * The correct server never reaches the faults: nothing in reference-server/src
 * imports this folder or names a fault, and every fault is made from parts
 * (so none hides as a branch inside a handler).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULTS, faultyVariant, type FaultName } from './index.ts';
import { SERVER_PARTS } from '../src/server-parts.ts';
import type { Session } from '../src/session.ts';
import { rewritingReplies } from './compose.ts';

const FAULTS_FOLDER = dirname(fileURLToPath(import.meta.url));
const SOURCE = resolve(FAULTS_FOLDER, '../src');

function serverFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return serverFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('no file of the server imports the faults folder or mentions a fault', () => {
  const offences: string[] = [];
  for (const file of serverFiles(SOURCE)) {
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
      const target = resolve(dirname(file), specifier as string);
      if (!relative(FAULTS_FOLDER, target).startsWith('..')) offences.push(`${relative(SOURCE, file)} imports ${specifier}`);
    }
    for (const [index, line] of text.split('\n').entries()) {
      if (/\bfault(s|y)?\b|hasFault/i.test(line)) offences.push(`${relative(SOURCE, file)}:${index + 1}: ${line.trim()}`);
    }
  }
  assert.deepEqual(offences, []);
});

test('every fault is made by swapping parts or settings', () => {
  const unmade = (Object.keys(FAULTS) as FaultName[]).filter((name) => {
    const variant = faultyVariant([name]);
    const changesSettings = variant.settings !== undefined && JSON.stringify(variant.settings({} as never)) !== '{}';
    return variant.parts === SERVER_PARTS && !changesSettings;
  });
  assert.deepEqual(unmade, []);
});

test('reply rewrites nest: an inner one gives the outer one back when it ends', async () => {
  const sent: string[] = [];
  const session = Object.create({ reply: (code: number, text: string) => sent.push(`${code} ${text}`) }) as Session;
  const inner = rewritingReplies((s) => s.reply(200, 'inner'), (reply) => ({ ...reply, code: reply.code + 1 }));
  const outer = rewritingReplies(async (s, argument) => {
    await inner(s, argument);
    s.reply(300, 'after');
  }, (reply) => ({ ...reply, code: reply.code + 10 }));
  await outer(session, '');
  assert.deepEqual(sent, ['211 inner', '310 after']);
  assert.equal(Object.hasOwn(session, 'reply'), false);
});
