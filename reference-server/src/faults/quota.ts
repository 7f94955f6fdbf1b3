/**
 * Test-only faults that make ftp-ref break the quota suite's rules on purpose,
 * so the harness's tests can show each quota case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const QUOTA_FAULTS = {} as const satisfies Record<string, string>;
