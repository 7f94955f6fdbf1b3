/**
 * A proof that spec cases can fail: a deliberately faulty target, and the
 * cases that must fail against it. Each suite keeps its proofs in
 * `<suite>.proofs.ts`; coverage.test.ts checks every bundled case is in one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultName } from '../../../reference-server/faults/index.ts';
import type { TargetProfile } from '../target/profile.ts';
import { explain, runAgainstEmbedded, runAgainstProfile } from './run-against.ts';

export interface Proof {
  /** What is wrong with the target, in words. */
  title: string;
  /** ftp-ref with these test-only faults... */
  faults?: FaultName[];
  /** ...or a target of its own (a scripted fake server from fixtures/). */
  start?: () => Promise<{ profile: TargetProfile; stop(): Promise<void> }>;
  /** Case ids that must fail against it (with a failure, not a harness error). */
  mustFail: string[];
  /** Case ids that must still pass against it (optional sanity: the fault is narrow). */
  mustPass?: string[];
  /**
   * Each case on a target of its own: the fault carries one case's state into
   * the next (a current directory shared server-wide leads every later login
   * into the folder of whichever case ran last, so which case meets it is a race).
   */
  targetPerCase?: boolean;
}

/** Registers one node:test test per proof. */
export function testProofs(suite: string, proofs: readonly Proof[]): void {
  for (const proof of proofs) {
    test(`${suite}: ${proof.title} → ${proof.mustFail.length} case(s) fail`, { timeout: 120_000 }, async () => {
      const cases = [...proof.mustFail, ...(proof.mustPass ?? [])];
      const runOn = async (ids: string[]) => {
        if (!proof.start) return runAgainstEmbedded({ cases: ids, faults: proof.faults ?? [] });
        const target = await proof.start();
        try {
          return await runAgainstProfile(target.profile, { cases: ids });
        } finally {
          await target.stop();
        }
      };
      const results = proof.targetPerCase ? await runEachAlone(cases, runOn) : await runOn(cases);
      // A fault that takes the target down fails the first case that meets it; the run reports the others as
      // not checked. Each of them is proved on a target of its own.
      for (const id of proof.mustFail) {
        if (results.get(id)?.status === 'not-checked' && /stopped answering/.test(results.get(id)?.reason ?? '')) {
          const alone = (await runOn([id])).get(id);
          if (alone) results.set(id, alone);
        }
      }
      for (const id of proof.mustFail) {
        const result = results.get(id);
        assert.ok(result, `case ${id} does not exist`);
        assert.equal(result.status, 'failed', `${id} must fail against "${proof.title}", but: ${explain(result)}`);
        assert.equal(result.harnessError, undefined, `${id} failed through a harness error: ${explain(result)}`);
      }
      for (const id of proof.mustPass ?? []) {
        assert.equal(results.get(id)?.status, 'passed', `${id} must still pass against "${proof.title}": ${explain(results.get(id))}`);
      }
    });
  }
}

async function runEachAlone<R>(ids: string[], runOn: (ids: string[]) => Promise<Map<string, R>>): Promise<Map<string, R>> {
  const results = new Map<string, R>();
  for (const id of ids) for (const [key, result] of await runOn([id])) results.set(key, result);
  return results;
}
