// node:test helper: run a test only where its peer is installed. Locally a missing
// peer is a visible skip; in CI (CI=true) it is a failure, so that a broken
// scripts/install-peers.sh can never turn the interop tests into silent skips.
import type { TestContext } from 'node:test';
import { peerAvailability, type PeerName } from './peers.ts';

export class MissingPeerError extends Error {
  override name = 'MissingPeerError';
}

/** What to do about a peer that is not installed: skip locally, fail in CI. */
export function missingPeerOutcome(reason: string, env: NodeJS.ProcessEnv): { action: 'skip' | 'fail'; message: string } {
  if (env.CI === 'true') return { action: 'fail', message: `${reason} (CI=true: a missing peer fails the test)` };
  return { action: 'skip', message: reason };
}

/** True if `name` can run here; otherwise skips `t` (locally) or throws MissingPeerError (CI). */
export function requirePeer(t: Pick<TestContext, 'skip'>, name: PeerName, env: NodeJS.ProcessEnv = process.env): boolean {
  const availability = peerAvailability(name);
  if (availability.available) return true;
  const outcome = missingPeerOutcome(availability.reason, env);
  if (outcome.action === 'fail') throw new MissingPeerError(outcome.message);
  t.skip(outcome.message);
  return false;
}
