/** Faulty targets that the quota suite's cases must catch. */
import type { Proof } from './proof.ts';

export const QUOTA_PROOFS: Proof[] = [
  {
    title: 'no quota at all (uploads unchecked, SITE QUOTA says limit=0)',
    faults: ['quota-ignored'],
    mustFail: ['quota.site-quota-reports-limit', 'quota.upload-just-over-limit', 'quota.stor-over-limit-nothing-kept', 'quota.stou-over-limit-nothing-kept'],
  },
  {
    title: 'the quota checked only when an upload starts',
    faults: ['quota-checked-at-start'],
    mustFail: ['quota.empty-file-at-limit', 'quota.appe-over-limit-keeps-old-length', 'quota.rest-stor-over-limit-keeps-old-length', 'quota.parallel-uploads-never-pass-limit'],
  },
  {
    title: 'an off-by-one limit check (usage may not reach the limit)',
    faults: ['quota-limit-inclusive'],
    mustFail: ['quota.upload-exactly-at-limit', 'quota.upload-just-under-limit'],
  },
  {
    title: 'each file compared with the limit on its own',
    faults: ['quota-per-file'],
    mustFail: ['quota.many-small-files'],
  },
  {
    title: 'the bytes of an upload refused for quota kept on disk',
    faults: ['quota-overflow-kept'],
    mustFail: ['quota.session-works-after-552', 'quota.stor-over-limit-nothing-kept'],
  },
  {
    title: 'DELE does not give the bytes back',
    faults: ['quota-delete-not-credited'],
    mustFail: ['quota.delete-frees-space'],
  },
  {
    title: 'RNTO counts the renamed bytes again',
    faults: ['quota-rename-counted-twice'],
    mustFail: ['quota.rename-keeps-usage', 'quota.rename-folder-keeps-usage'],
  },
  {
    title: 'STOR over a file keeps counting the old file',
    faults: ['quota-replace-not-credited'],
    mustFail: ['quota.replace-counts-new-size'],
  },
  {
    title: 'MKD charges a disk block',
    faults: ['quota-mkdir-charged'],
    mustFail: ['quota.mkdir-keeps-usage', 'quota.usage-equals-listed-sizes'],
  },
  {
    title: 'a usage count per session',
    faults: ['quota-per-session'],
    mustFail: ['quota.limit-holds-across-sessions', 'quota.parallel-uploads-never-pass-limit'],
  },
  {
    title: 'uploads to one file run side by side: a refused APPE cuts another, a STOR overwrites an APPE',
    faults: ['quota-appends-unlocked'],
    mustFail: ['quota.refused-append-keeps-others-bytes', 'quota.append-during-create-counted-once'],
  },
  {
    title: 'the bytes a cut upload leaves are not counted',
    faults: ['quota-abort-not-counted'],
    mustFail: ['quota.aborted-upload-keeps-usage-exact'],
  },
  {
    title: 'SITE CPTO copies without the quota',
    faults: ['quota-copy-unchecked'],
    mustFail: ['quota.copy-counts', 'quota.copy-over-limit-refused'],
  },
  {
    title: 'AVBL answers the whole limit',
    faults: ['avbl-reports-limit'],
    mustFail: ['quota.avbl-reports-left', 'quota.avbl-follows-uploads'],
  },
  {
    title: 'uploads outside the current directory escape the quota',
    faults: ['quota-only-in-cwd'],
    mustFail: ['quota.no-path-around-limit'],
  },
];
