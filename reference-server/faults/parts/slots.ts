/** Faults of the connection and login limits: a limit not enforced, slots never given back. */
import { LoginSlots } from '../../src/login-slots.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';

const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** Takes slots but never gives one back (a counter decremented on one path of logout only). */
class LeakingLoginSlots extends LoginSlots {
  override release(): void {}
}

export const SLOT_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  'no-connection-limit': { settings: (settings) => ({ ...settings, maxConnections: UNLIMITED, maxPerAddress: UNLIMITED }) },
  'no-per-user-limit': { settings: (settings) => ({ ...settings, maxPerUser: UNLIMITED }) },
  'auth-login-slot-leak': { parts: (parts) => ({ ...parts, loginSlots: (maxPerUser) => new LeakingLoginSlots(maxPerUser) }) },
  // The server never hears that a session ended: its connection and login slots stay taken.
  'slots-never-released': { parts: (parts) => ({ ...parts, createSession: (socket, id, context) => parts.createSession(socket, id, context, () => {}) }) },
};
