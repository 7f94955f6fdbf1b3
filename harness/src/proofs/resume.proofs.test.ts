import { testProofs } from './proof.ts';
import { RESUME_PROOFS } from './resume.proofs.ts';

testProofs('resume', RESUME_PROOFS);
