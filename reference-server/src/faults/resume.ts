/**
 * Test-only faults that make ftp-ref break the resume suite's rules on purpose,
 * so the harness's tests can show each resume case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const RESUME_FAULTS = {} as const satisfies Record<string, string>;
