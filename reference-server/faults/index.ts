/**
 * Deliberate misbehaviours of ftp-ref, for ftp-check's own tests only: they
 * prove each spec case able to fail. A faulty server is the correct one with
 * parts swapped (fault.ts); nothing in reference-server/src imports this
 * folder, so no flag, config file or environment turns a fault on.
 */
import type { FtpServer } from '../src/server.ts';
import type { ServerVariant } from '../src/temp-server.ts';
import { SERVER_PARTS, type ServerParts } from '../src/server-parts.ts';
import type { FaultPart, ServerHandle } from './fault.ts';
import { SESSION_FAULT_PARTS } from './parts/session.ts';
import { LOGIN_FAULT_PARTS } from './parts/login.ts';
import { SITE_FAULT_PARTS } from './parts/site.ts';
import { TRANSFER_FAULT_PARTS } from './parts/transfer.ts';
import { NAVIGATION_FAULT_PARTS } from './parts/navigation.ts';
import { LISTING_FAULT_PARTS } from './parts/listing.ts';
import { DATA_SETUP_FAULT_PARTS } from './parts/data-setup.ts';
import { JAIL_FAULT_PARTS } from './parts/jail.ts';
import { SLOT_FAULT_PARTS } from './parts/slots.ts';
import { JAIL_FAULTS } from './jail.ts';
import { QUOTA_FAULTS } from './quota.ts';
import { RESUME_FAULTS } from './resume.ts';
import { CONCURRENCY_FAULTS } from './concurrency.ts';
import { ADMIN_FAULTS } from './admin.ts';
import { AUTH_FAULTS } from './auth.ts';
import { ROBUSTNESS_FAULTS } from './robustness.ts';
import { RFC959_FAULTS } from './rfc959.ts';

export const FAULTS = {
  ...JAIL_FAULTS,
  ...QUOTA_FAULTS,
  ...RESUME_FAULTS,
  ...CONCURRENCY_FAULTS,
  ...ADMIN_FAULTS,
  ...AUTH_FAULTS,
  ...ROBUSTNESS_FAULTS,
  ...RFC959_FAULTS,
} as const;

export type FaultName = keyof typeof FAULTS;

export function checkFaultNames(names: readonly string[]): FaultName[] {
  for (const name of names) if (!Object.hasOwn(FAULTS, name)) throw new Error(`unknown fault "${name}" (known: ${Object.keys(FAULTS).join(', ')})`);
  return names as FaultName[];
}

/** How faults are made, by the part of the server they swap; a fault may swap parts in several groups. */
const FAULT_PART_GROUPS: readonly Partial<Record<FaultName, FaultPart>>[] = [
  SESSION_FAULT_PARTS,
  LOGIN_FAULT_PARTS,
  SITE_FAULT_PARTS,
  TRANSFER_FAULT_PARTS,
  NAVIGATION_FAULT_PARTS,
  LISTING_FAULT_PARTS,
  DATA_SETUP_FAULT_PARTS,
  JAIL_FAULT_PARTS,
  SLOT_FAULT_PARTS,
];

function partsOf(name: FaultName): FaultPart[] {
  return FAULT_PART_GROUPS.flatMap((group) => group[name] ?? []);
}

/** ftp-ref with `names` switched on: the correct settings and parts, each fault applied in turn. */
export function faultyVariant(names: readonly string[]): ServerVariant {
  const faults = checkFaultNames(names).flatMap((name) => partsOf(name).map((part) => ({ name, part })));
  let running: FtpServer | null = null;
  const handle: ServerHandle = {
    crash() {
      void running?.stop(0);
    },
  };
  let parts: ServerParts = SERVER_PARTS;
  for (const { part } of faults) if (part.parts) parts = part.parts(parts, handle);
  return {
    settings: (settings) => faults.reduce((changed, { part }) => part.settings?.(changed) ?? changed, settings),
    parts,
    started(server) {
      running = server;
    },
  };
}
