/**
 * Test-only faults that make ftp-ref break the rfc959 suite's rules on purpose,
 * so the harness's tests can show each rfc959 case able to fail. Each entry:
 * name -> what the faulty server does wrong. Each is a classic mistake of
 * hand-written FTP servers, hooked in where that mistake would be made.
 */
export const RFC959_FAULTS = {
  'rfc959-multiline-no-hyphen': 'multi-line replies open with `ddd ` instead of `ddd-`, so a client reads the first line as the whole reply and the rest as garbage',
  'rfc959-multiline-unindented': 'the inner lines of multi-line replies lose their leading space (FEAT features and the MLST entry line among them)',
  'rfc959-status-replies-200': 'status and help replies (211, 212, 213, 214, 215) go out as a plain 200',
  'rfc959-no-preconditions': 'commands go straight to their handlers: no login check, no check for a missing argument, and an unknown verb crashes into 451',
  'rfc959-fs-errors-451': 'a filesystem error (no such file, exists, not empty) is answered 451 Local error instead of 550',
  'rfc959-path-unquoted': 'PWD and MKD print the path without the double quotes of RFC 959 Appendix II',
  'rfc959-rnfr-200': 'RNFR answers 200 instead of 350 (pending further information)',
  'rfc959-rnto-no-sequence-check': 'RNTO without RNFR tries to rename nothing and answers 550 instead of 503 (bad sequence)',
  'rfc959-size-off-by-one': 'SIZE reports one byte more than the file holds',
  'rfc959-mdtm-iso': 'MDTM answers an ISO 8601 time (2024-05-01T12:00:00.000Z) instead of YYYYMMDDHHMMSS',
  'rfc959-list-ignores-cwd': 'LIST and NLST without an argument list the root, not the current directory',
  'rfc959-mlsx-facts-missing': 'MLSD and MLST entries carry the type fact only (no size, modify, perm)',
  'rfc959-mlsd-file-allowed': 'MLSD of a file lists the file (226) instead of answering 501',
  'rfc959-listing-latin1': 'listings are encoded in Latin-1, so UTF-8 names come out mangled',
  'rfc959-pasv-wrong-address': 'the 227 reply announces 0,0,0,0 (the listening socket\'s wildcard address), not the server\'s address',
  'rfc959-epsv-no-parens': 'the 229 reply gives the port as `|||port|` without the parentheses RFC 2428 requires',
  'rfc959-epsv-all-ignored': 'after EPSV ALL the server still accepts PASV, PORT and EPRT',
  'rfc959-data-setup-errors-500': 'every PORT, EPRT and EPSV argument problem is answered 500 (not 501 for bad syntax or 522 for an unknown protocol)',
  'rfc959-active-port-swapped': 'the port of PORT/EPRT is read with its bytes swapped, so active connections go to the wrong port',
  'rfc959-quit-stays-open': 'QUIT answers 221 but the server keeps the control connection open',
} as const satisfies Record<string, string>;
