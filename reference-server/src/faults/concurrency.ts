/**
 * Test-only faults that make ftp-ref break the concurrency suite's rules on purpose,
 * so the harness's tests can show each concurrency case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const CONCURRENCY_FAULTS = {} as const satisfies Record<string, string>;
