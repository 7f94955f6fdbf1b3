/** Faulty targets that the rfc959 suite's cases must catch. */
import type { Proof } from './proof.ts';

export const RFC959_PROOFS: Proof[] = [];
