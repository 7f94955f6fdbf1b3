import { testProofs } from './proof.ts';
import { AUTH_PROOFS } from './auth.proofs.ts';

testProofs('auth', AUTH_PROOFS);
