/**
 * Test-only faults that make ftp-ref break the admin suite's rules on purpose,
 * so the harness's tests can show each admin case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const ADMIN_FAULTS = {} as const satisfies Record<string, string>;
