/** Uploads use the server's own parts (server-parts.ts): the quota ledger of the path stored, the writer locks of a file written in place. */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { ControlClient } from '../../test/control-client.ts';
import { SERVER_PARTS, type ServerParts } from '../server-parts.ts';
import { PathLocks } from '../data/path-locks.ts';
import { QuotaLedger } from '../quota.ts';

const ledgersAsked: string[] = [];
const locksTaken: string[] = [];

class RecordingLocks extends PathLocks {
  override acquire(path: string, signal?: AbortSignal): Promise<() => void> {
    locksTaken.push(path);
    return super.acquire(path, signal);
  }
}

const locks = new RecordingLocks();
/** A ledger of its own for one file: 4 bytes allowed. */
const tiny = new QuotaLedger('alice', 0, () => 4);

const parts: ServerParts = {
  ...SERVER_PARTS,
  quotaLedger: (session, path) => {
    ledgersAsked.push(path);
    return path === '/tiny.txt' ? Promise.resolve(tiny) : SERVER_PARTS.quotaLedger(session, path);
  },
  writerLocks: () => locks,
};

describe('uploads and the server parts', () => {
  let server: TempServer;
  let client: ControlClient;

  before(async () => {
    server = await startTempServer({ variant: { parts } });
    client = await ControlClient.open(server.port, { user: 'alice', password: 'alice-pw' });
    await client.expect('TYPE I', 200);
  });

  after(async () => {
    client.close();
    await server.stop();
  });

  beforeEach(() => {
    ledgersAsked.length = 0;
    locksTaken.length = 0;
  });

  it('a STOR that creates a file asks the ledger of its path and takes the writer lock of its inode', async () => {
    await client.stor('new.txt', Buffer.from('first'));
    assert.deepEqual(ledgersAsked, ['/new.txt']);
    assert.equal(locksTaken.length, 1);
    assert.match(locksTaken[0] ?? '', /^\d+:\d+$/);
  });

  it('a STOR over it replaces it whole: the ledger is asked, no writer lock is taken', async () => {
    await client.stor('new.txt', Buffer.from('second'));
    assert.deepEqual(ledgersAsked, ['/new.txt']);
    assert.deepEqual(locksTaken, []);
    assert.equal(await readFile(join(server.dataDir, 'storage', 'alice', 'new.txt'), 'utf8'), 'second');
  });

  it('the ledger the part gives is the one the upload counts against: 552 past its limit', async () => {
    const data = await client.openPassive();
    await client.expect('STOR tiny.txt', 150);
    data.end(Buffer.from('more than four bytes'));
    await client.expectReply(552);
    assert.equal(tiny.used, 0);
  });
});
