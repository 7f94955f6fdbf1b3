/** Faulty targets that the quota suite's cases must catch. */
import type { Proof } from './proof.ts';

export const QUOTA_PROOFS: Proof[] = [];
