/** Every bundled spec case is shown able to fail by at least one proof (a case no fault can fail is a defect). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledCases } from './run-against.ts';
import { JAIL_PROOFS } from './jail.proofs.ts';
import { QUOTA_PROOFS } from './quota.proofs.ts';
import { RESUME_PROOFS } from './resume.proofs.ts';
import { CONCURRENCY_PROOFS } from './concurrency.proofs.ts';
import { ADMIN_PROOFS } from './admin.proofs.ts';
import { AUTH_PROOFS } from './auth.proofs.ts';
import { ROBUSTNESS_PROOFS } from './robustness.proofs.ts';
import { RFC959_PROOFS } from './rfc959.proofs.ts';

const ALL = [JAIL_PROOFS, QUOTA_PROOFS, RESUME_PROOFS, CONCURRENCY_PROOFS, ADMIN_PROOFS, AUTH_PROOFS, ROBUSTNESS_PROOFS, RFC959_PROOFS].flat();

test('every bundled case is in the mustFail list of some proof', async () => {
  const proven = new Set(ALL.flatMap((proof) => proof.mustFail));
  const cases = await bundledCases();
  const unproven = cases.map((c) => c.id).filter((id) => !proven.has(id));
  assert.deepEqual(unproven, [], `cases with no proof that they can fail:\n${unproven.join('\n')}`);
});

test('every proof names only existing cases', async () => {
  const ids = new Set((await bundledCases()).map((c) => c.id));
  const unknown = ALL.flatMap((proof) => [...proof.mustFail, ...(proof.mustPass ?? [])]).filter((id) => !ids.has(id));
  assert.deepEqual(unknown, []);
});
