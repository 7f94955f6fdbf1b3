/**
 * Test-only faults that make ftp-ref break the robustness suite's rules on purpose,
 * so the harness's tests can show each robustness case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const ROBUSTNESS_FAULTS = {} as const satisfies Record<string, string>;
