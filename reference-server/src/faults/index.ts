/**
 * Deliberate misbehaviours of ftp-ref, for the harness's own tests only: they
 * prove each spec case able to fail. They are reachable solely through the
 * programmatic `faults` option of FtpServer.start / startTempServer, never from
 * a flag, a config file or the environment, so no user turns one on by accident.
 */
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
