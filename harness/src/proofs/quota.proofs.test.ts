import { testProofs } from './proof.ts';
import { QUOTA_PROOFS } from './quota.proofs.ts';

testProofs('quota', QUOTA_PROOFS);
