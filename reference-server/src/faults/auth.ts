/**
 * Test-only faults that make ftp-ref break the auth suite's rules on purpose,
 * so the harness's tests can show each auth case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const AUTH_FAULTS = {} as const satisfies Record<string, string>;
