/**
 * The settings table in README.md is what the config file accepts: every flag
 * it lists is a key of the file, spelled as the flag (`max-per-user`) or as the
 * setting (`maxPerUser`), and every setting is in the table.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SETTINGS, loadSettings, type SettingName } from './config.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const folder = mkdtempSync(join(tmpdir(), 'ftp-ref-config-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** The `--flag`s of README's ftp-ref settings table, in order. */
function readmeFlags(): string[] {
  const start = README.indexOf('| setting | default | meaning |');
  assert.ok(start !== -1, 'README.md has the ftp-ref settings table');
  const rows = (README.slice(start).split('\n\n')[0] as string).split('\n').slice(2);
  // The first cell names the flags; the others may mention more (`--no-anonymous`).
  return rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`--([a-z][a-z-]*)`/g)].map((match) => match[1] as string));
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** A value of the setting's type that differs from its default (so that reading it is seen). */
function sample(name: SettingName): string | number | boolean {
  const samples: Partial<Record<SettingName, string>> = { host: '127.0.0.2', data: '/srv/ftp', publicDir: '/srv/pub', pasvPorts: '40000-40010', pasvAddress: '192.0.2.1', tlsCert: '/etc/cert.pem', tlsKey: '/etc/key.pem', logLevel: 'debug' };
  const spec = SETTINGS[name];
  if (spec.type === 'number') return (spec.default as number) + 1;
  if (spec.type === 'boolean') return !spec.default;
  const value = samples[name];
  assert.ok(value !== undefined, `a sample value for the string setting ${name}`);
  return value;
}

function writeConfig(name: string, body: Record<string, unknown>): string {
  const file = join(folder, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

describe("README's ftp-ref settings table matches the config file", () => {
  test('every setting is in the table, and every flag of the table is a setting', () => {
    const flags = readmeFlags();
    assert.deepEqual(flags.map(camel).filter((name) => !Object.hasOwn(SETTINGS, name)), [], 'flags in README that are no setting');
    assert.deepEqual(Object.keys(SETTINGS).filter((name) => !flags.map(camel).includes(name)), [], 'settings missing from README');
  });

  for (const spelling of ['flag', 'setting'] as const) {
    test(`a config file takes every setting of the table spelled as the ${spelling} (${spelling === 'flag' ? 'max-per-user' : 'maxPerUser'})`, async () => {
      const flags = readmeFlags();
      const body = Object.fromEntries(flags.map((flag) => [spelling === 'flag' ? flag : camel(flag), sample(camel(flag) as SettingName)]));
      const settings = await loadSettings(writeConfig(`${spelling}.json`, body), {});
      for (const flag of flags) assert.equal(settings[camel(flag) as SettingName], sample(camel(flag) as SettingName), flag);
    });
  }

  test('one setting given in both spellings is refused, naming it', async () => {
    const file = writeConfig('both.json', { 'max-per-user': 3, maxPerUser: 4 });
    await assert.rejects(loadSettings(file, {}), (error: Error) => error instanceof ConfigError && /twice/.test(error.message) && /max-per-user/.test(error.message));
  });

  test('an unknown key is refused, naming it', async () => {
    await assert.rejects(loadSettings(writeConfig('unknown.json', { 'max-per-users': 3 }), {}), (error: Error) => error instanceof ConfigError && /"max-per-users"/.test(error.message));
  });
});
