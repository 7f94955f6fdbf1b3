/**
 * Test-only faults that make ftp-ref break the quota suite's rules on purpose,
 * so the harness's tests can show each quota case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const QUOTA_FAULTS = {
  'quota-ignored': 'no quota at all: uploads are never checked against the limit (their bytes are still counted) and SITE QUOTA says limit=0',
  'quota-checked-at-start': 'an upload is refused only when usage is already at the limit when it starts, so it can run past the limit',
  'quota-limit-inclusive': 'off by one: an upload that would bring usage exactly to the limit is refused',
  'quota-per-file': 'each upload is compared with the limit on its own, not added to the usage of the home',
  'quota-overflow-kept': 'an upload refused for quota keeps the bytes it wrote (a new file stays, an appended one stays longer)',
  'quota-delete-not-credited': "DELE does not give the deleted file's bytes back",
  'quota-rename-counted-twice': "RNTO counts the renamed file's bytes again, as if they were new",
  'quota-replace-not-credited': "STOR over an existing file does not give back the old file's bytes",
  'quota-mkdir-charged': 'MKD charges 4096 bytes per directory, like a disk block',
  'quota-per-session': 'each session keeps its own usage count, measured when it first needs it, so sessions together pass the limit',
  'quota-abort-not-counted': 'the bytes an interrupted upload leaves on disk are not counted',
  'quota-copy-unchecked': 'SITE CPTO neither checks nor counts the copy against the quota',
  'avbl-reports-limit': 'AVBL answers the whole limit instead of what is left',
  'quota-appends-unlocked': 'uploads that write one file in place run side by side: undoing an APPE refused for quota cuts the bytes another appended meanwhile',
  'quota-only-in-cwd': 'uploads to a path outside the current directory (sub/x, ../x, /abs/x) are not counted against the quota',
} as const satisfies Record<string, string>;
