import { testProofs } from './proof.ts';
import { ROBUSTNESS_PROOFS } from './robustness.proofs.ts';

testProofs('robustness', ROBUSTNESS_PROOFS);
