/** Faulty targets that the resume suite's cases must catch. */
import type { Proof } from './proof.ts';

export const RESUME_PROOFS: Proof[] = [];
