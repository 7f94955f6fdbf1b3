/**
 * Test-only faults that make ftp-ref break the resume suite's rules on purpose,
 * so the harness's tests can show each resume case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const RESUME_FAULTS = {
  'rest-ignored-retr': 'RETR after REST n sends the whole file',
  'rest-retr-off-by-one': 'RETR after REST n starts at byte n-1',
  'rest-zero-refused': 'REST 0 is refused with 501',
  'rest-past-end-sends-whole': 'RETR after a REST past the end of the file sends the whole file',
  'rest-ignored-stor': 'STOR after REST n overwrites the file from byte 0',
  'rest-kept-after-commands': 'REST n is kept across other commands until a transfer uses it',
  'appe-overwrites': 'APPE replaces the file instead of appending to it',
  'appe-missing-refused': 'APPE to a file that does not exist answers 550 instead of creating it',
  'stor-overwrite-not-atomic': 'STOR over an existing file truncates it first, so a cut overwrite leaves a partial file',
  'type-a-upload-not-converted': 'TYPE A uploads are stored with their CRLF line ends, not in the local (LF) form',
  'type-a-download-not-converted': 'TYPE A downloads are sent in the local form, without LF -> CRLF',
  'type-i-corrupts-byte': 'TYPE I downloads clear the high bit of every byte (a 7-bit data path)',
  'hash-wrong-range': 'HASH digests one byte short of the range asked (the last byte is left out)',
  'hash-ignores-rest': 'HASH after REST n digests the whole file, not the range from n',
} as const satisfies Record<string, string>;
