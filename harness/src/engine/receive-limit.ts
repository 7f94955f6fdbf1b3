/**
 * How many bytes a step may take in over one data connection: what the step needs,
 * so a server that never ends a listing or sends more than it announced costs a
 * bounded amount of memory, and the step says the data was cut.
 */

const MiB = 1024 * 1024;

/** A listing is text a person could read; a few MiB is far beyond any folder a case makes. */
export const LISTING_LIMIT_BYTES = 4 * MiB;
/** A download whose size the step does not know and whose bytes it only searches. */
export const UNKNOWN_DOWNLOAD_LIMIT_BYTES = 16 * MiB;
/** A download kept (`remember`) for a later comparison, size unknown. */
export const KEPT_DOWNLOAD_LIMIT_BYTES = 64 * MiB;

/**
 * The limit for a download expected to be one of `expectedSizes` bytes long: twice
 * the largest (TYPE A may turn every LF into CRLF) plus 1 MiB, so the comparison
 * still sees that the server sent too much. Without an expected size: the defaults.
 */
export function downloadLimit(expectedSizes: readonly number[], kept: boolean): number {
  const known = expectedSizes.filter((n) => Number.isSafeInteger(n) && n >= 0);
  if (known.length === 0) return kept ? KEPT_DOWNLOAD_LIMIT_BYTES : UNKNOWN_DOWNLOAD_LIMIT_BYTES;
  return 2 * Math.max(...known) + MiB;
}
