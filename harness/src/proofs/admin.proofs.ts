/** Faulty targets that the admin suite's cases must catch. */
import type { Proof } from './proof.ts';

export const ADMIN_PROOFS: Proof[] = [];
