/**
 * Test-only faults that make ftp-ref break the jail suite's rules on purpose,
 * so the harness's tests can show each jail case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const JAIL_FAULTS = {} as const satisfies Record<string, string>;
