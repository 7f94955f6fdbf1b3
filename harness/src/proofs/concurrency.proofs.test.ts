import { testProofs } from './proof.ts';
import { CONCURRENCY_PROOFS } from './concurrency.proofs.ts';

testProofs('concurrency', CONCURRENCY_PROOFS);
