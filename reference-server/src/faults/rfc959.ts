/**
 * Test-only faults that make ftp-ref break the rfc959 suite's rules on purpose,
 * so the harness's tests can show each rfc959 case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const RFC959_FAULTS = {} as const satisfies Record<string, string>;
