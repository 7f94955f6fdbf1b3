import { testProofs } from './proof.ts';
import { ADMIN_PROOFS } from './admin.proofs.ts';

testProofs('admin', ADMIN_PROOFS);
