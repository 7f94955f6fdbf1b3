/** Faults of CWD, PWD, MKD, RMD, DELE, RNFR/RNTO, SIZE, MDTM (src/handlers/navigation.ts). */
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { firstLine, rewritingReplies, withHandlers } from '../compose.ts';

export const NAVIGATION_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  'rfc959-size-off-by-one': {
    parts: (parts) => withHandlers(parts, ['SIZE'], (inner) => rewritingReplies(inner, (reply) => (reply.code === 213 ? { code: 213, text: String(Number(firstLine(reply.text)) + 1) } : reply))),
  },
};
