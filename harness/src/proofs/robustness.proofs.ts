/** Faulty targets that the robustness suite's cases must catch. */
import type { Proof } from './proof.ts';

export const ROBUSTNESS_PROOFS: Proof[] = [];
