import { testProofs } from './proof.ts';
import { JAIL_PROOFS } from './jail.proofs.ts';

testProofs('jail', JAIL_PROOFS);
