/** Faulty targets that the concurrency suite's cases must catch. */
import type { Proof } from './proof.ts';

export const CONCURRENCY_PROOFS: Proof[] = [];
