/** Faulty targets that the jail suite's cases must catch. */
import type { Proof } from './proof.ts';

export const JAIL_PROOFS: Proof[] = [];
