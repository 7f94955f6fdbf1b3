/** Faulty targets that the resume suite's cases must catch. */
import type { Proof } from './proof.ts';

export const RESUME_PROOFS: Proof[] = [
  {
    title: 'REST ignored on RETR (the whole file is sent)',
    faults: ['rest-ignored-retr'],
    mustFail: ['resume.rest-retr-middle', 'resume.rest-retr-past-end', 'resume.cut-download-resumed-with-rest', 'resume.cut-download-resumed-active-mode'],
  },
  {
    title: 'RETR after REST n starts one byte early',
    faults: ['rest-retr-off-by-one'],
    mustFail: ['resume.rest-retr-middle-binary', 'resume.rest-retr-at-end'],
  },
  {
    title: 'REST 0 refused',
    faults: ['rest-zero-refused'],
    mustFail: ['resume.rest-retr-zero'],
  },
  {
    title: 'a REST past the end sends the whole file',
    faults: ['rest-past-end-sends-whole'],
    mustFail: ['resume.rest-retr-past-end'],
  },
  {
    title: 'REST ignored on STOR (the file is rewritten from byte 0)',
    faults: ['rest-ignored-stor'],
    mustFail: ['resume.rest-stor-keeps-prefix', 'resume.cut-upload-finished-with-rest-stor', 'resume.hash-after-resumed-upload', 'quota.rest-stor-counts-growth'],
  },
  {
    title: 'REST kept across other commands',
    faults: ['rest-kept-after-commands'],
    mustFail: ['resume.rest-forgotten-after-noop', 'resume.rest-forgotten-after-type'],
  },
  {
    title: 'APPE replaces the file',
    faults: ['appe-overwrites'],
    mustFail: ['resume.appe-appends', 'resume.cut-upload-finished-with-appe', 'quota.appe-counts-appended-bytes'],
  },
  {
    title: 'APPE refuses a missing file',
    faults: ['appe-missing-refused'],
    mustFail: ['resume.appe-creates-missing-file'],
  },
  {
    title: 'STOR truncates the old file before the new one is whole',
    faults: ['stor-overwrite-not-atomic'],
    mustFail: ['resume.cut-overwrite-keeps-old'],
  },
  {
    title: 'TYPE A uploads not converted to LF',
    faults: ['type-a-upload-not-converted'],
    mustFail: ['resume.type-a-upload-stored-local'],
  },
  {
    title: 'TYPE A downloads not converted to CRLF',
    faults: ['type-a-download-not-converted'],
    mustFail: ['resume.type-a-download-crlf', 'resume.type-a-roundtrip'],
  },
  {
    title: 'TYPE I clears the high bit of every byte',
    faults: ['type-i-corrupts-byte'],
    mustFail: ['resume.type-i-all-bytes'],
  },
  {
    title: 'HASH leaves out the last byte',
    faults: ['hash-wrong-range'],
    mustFail: ['resume.hash-whole-file'],
  },
  {
    title: 'HASH ignores REST',
    faults: ['hash-ignores-rest'],
    mustFail: ['resume.hash-rest-range'],
  },
];
