import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../cli/run-command.ts';
import { firstClientOf, parseDuration, parseShard, parseSize, resolveOptions, shareOf } from './options.ts';

test('durations: ms, s, m, h, bare seconds; nonsense is a usage error', () => {
  assert.equal(parseDuration('20s'), 20_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('3'), 3000);
  for (const bad of ['', 'soon', '-1s', '5 days', '20x']) assert.throws(() => parseDuration(bad), UsageError, bad);
});

test('sizes: binary and decimal units', () => {
  assert.equal(parseSize('64k'), 65_536);
  assert.equal(parseSize('1MiB'), 1_048_576);
  assert.equal(parseSize('10MB'), 10_000_000);
  assert.equal(parseSize('512'), 512);
  assert.throws(() => parseSize('lots'), UsageError);
});

test('shards are 1-based i/n', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1-2']) assert.throws(() => parseShard(bad), UsageError, bad);
});

test('shard parts add up exactly to the whole, and differ by one at most', () => {
  for (const total of [0, 1, 7, 10, 50, 99, 1000]) {
    for (const count of [1, 2, 3, 4, 7, 16]) {
      const parts = Array.from({ length: count }, (_, i) => shareOf(total, { index: i + 1, count }));
      assert.equal(parts.reduce((a, b) => a + b, 0), total, `${total} in ${count}`);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
      // client numbers: each shard's first client follows the previous shard's last
      parts.reduce((first, part, i) => {
        assert.equal(firstClientOf(total, { index: i + 1, count }), first);
        return first + part;
      }, 0);
    }
  }
});

test('resolveOptions splits clients, rate, amount and users by --shard', () => {
  const one = resolveOptions({ clients: 10, amount: 101, users: 5, shard: '1/2' });
  const two = resolveOptions({ clients: 10, amount: 101, users: 5, shard: '2/2' });
  assert.deepEqual([one.model, two.model], [{ kind: 'closed', clients: 5 }, { kind: 'closed', clients: 5 }]);
  assert.equal((one.amount ?? 0) + (two.amount ?? 0), 101);
  assert.equal(one.users + two.users, 5);
  const open = resolveOptions({ rate: 90, shard: '1/3' });
  assert.equal(open.model.kind === 'open' && open.model.rate, 30);
});

test('resolveOptions: defaults, and conflicting or malformed flags are usage errors', () => {
  const defaults = resolveOptions({});
  assert.equal(defaults.scenario, 'mixed');
  assert.deepEqual(defaults.model, { kind: 'closed', clients: 10 });
  assert.equal(defaults.durationMs, 10_000);
  assert.equal(resolveOptions({ amount: 5 }).durationMs, null);
  assert.equal(resolveOptions({ scenario: 'my-load.yaml' }).scenarioFile, 'my-load.yaml');
  const bad: [object, RegExp][] = [
    [{ clients: 5, rate: 10 }, /exclude each other/],
    [{ scenario: 'bogus' }, /--scenario must be one of/],
    [{ clients: 0 }, /--clients/],
    [{ threshold: ['p99 < soon'] }, /--threshold/],
    [{ users: 1, shard: '1/2' }, /at least one per shard/],
    [{ remoteDigest: 'sha256:00' }, /goes with --remote-file/],
    [{ digest: 'rot13' }, /--digest/],
  ];
  for (const [flags, message] of bad) assert.throws(() => resolveOptions(flags), (error: unknown) => error instanceof UsageError && message.test(error.message), JSON.stringify(flags));
});
