/** Faulty targets that the auth suite's cases must catch. */
import type { Proof } from './proof.ts';

export const AUTH_PROOFS: Proof[] = [];
