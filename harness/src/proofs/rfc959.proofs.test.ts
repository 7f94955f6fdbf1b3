import { testProofs } from './proof.ts';
import { RFC959_PROOFS } from './rfc959.proofs.ts';

testProofs('rfc959', RFC959_PROOFS);
