import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { AUTHENTICATOR, identify } from './authenticator.ts';
import { SERVER_PARTS } from './server-parts.ts';

describe('identify: who a login is', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer();
  });
  after(() => server.stop());

  it('anonymous: read-only, in the public folder', async () => {
    const { context } = server.server;
    const identity = await identify(context, 'Anonymous', 'guest@example.org');
    assert.deepEqual({ name: identity?.name, role: identity?.role, readOnly: identity?.readOnly }, { name: 'anonymous', role: 'anonymous', readOnly: true });
    assert.equal(identity?.jail.root, await realpath(context.layout.public));
  });

  it('a user: in their own home, made at the first login', async () => {
    const { context } = server.server;
    const identity = await identify(context, 'alice', 'alice-pw');
    assert.deepEqual({ name: identity?.name, role: identity?.role, readOnly: identity?.readOnly }, { name: 'alice', role: 'user', readOnly: false });
    assert.equal((await stat(join(context.layout.storage, 'alice'))).isDirectory(), true);
    assert.equal(identity?.jail.root, await realpath(join(context.layout.storage, 'alice')));
  });

  it('the administrator: at the storage root that holds every home', async () => {
    const { context } = server.server;
    const identity = await identify(context, 'admin', 'admin-pw');
    assert.deepEqual({ role: identity?.role, readOnly: identity?.readOnly }, { role: 'admin', readOnly: false });
    assert.equal(identity?.jail.root, await realpath(context.layout.storage));
  });

  it('a wrong password or an unknown name: nobody', async () => {
    const { context } = server.server;
    assert.equal(await identify(context, 'alice', 'bob-pw'), null);
    assert.equal(await identify(context, 'nobody-here', 'alice-pw'), null);
  });
});

describe('identify: settings and parts', () => {
  it('no anonymous login where the server turns it off', async () => {
    const server = await startTempServer({ settings: { anonymous: false } });
    try {
      assert.equal(await identify(server.server.context, 'ftp', 'guest@example.org'), null);
    } finally {
      await server.stop();
    }
  });

  it('asks the authenticator the server is built with', async () => {
    const refusing = { ...AUTHENTICATOR, verify: async () => null };
    const server = await startTempServer({ variant: { parts: { ...SERVER_PARTS, authenticator: refusing } } });
    try {
      assert.equal(await identify(server.server.context, 'alice', 'alice-pw'), null);
    } finally {
      await server.stop();
    }
  });
});
