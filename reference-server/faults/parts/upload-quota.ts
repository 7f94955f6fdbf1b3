/**
 * Faults of the quota as uploads meet it (src/handlers/transfer.ts,
 * quota-scope.ts): uploads given another ledger, or the same ledger seen
 * through a view that admits, commits or places differently. Other groups may
 * use `uploadsCountAgainst` and `ledgerView` for their own quota faults.
 */
import { join } from 'node:path';
import type { Session } from '../../src/session.ts';
import type { ServerParts } from '../../src/server-parts.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { replyForError } from '../../src/errors.ts';
import { QuotaExceededError, QuotaLedger, measureUsage } from '../../src/quota.ts';
import { virtualParent, type VirtualPath } from '../../src/vfs/virtual-path.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { rewritingReplies, withHandlers } from '../compose.ts';

export const UPLOAD_VERBS = ['STOR', 'STOU', 'APPE'] as const;

/** Sessions running an upload (STOR, STOU, APPE) now. */
const uploading = new WeakSet<Session>();

type LedgerChoice = (session: Session, path: VirtualPath, ledger: QuotaLedger | null) => QuotaLedger | null | Promise<QuotaLedger | null>;

/** `parts` whose uploads count against `choose(the ledger they would use)`; every other command keeps the correct ledger. */
export function uploadsCountAgainst(parts: ServerParts, choose: LedgerChoice): ServerParts {
  const marked = withHandlers(parts, UPLOAD_VERBS, (inner) => async (session, argument) => {
    uploading.add(session);
    try {
      await inner(session, argument);
    } finally {
      uploading.delete(session);
    }
  });
  return {
    ...marked,
    quotaLedger: async (session, path) => {
      const ledger = await parts.quotaLedger(session, path);
      return uploading.has(session) ? choose(session, path, ledger) : ledger;
    },
  };
}

export type LedgerOverrides = Partial<Pick<QuotaLedger, 'limit' | 'tryReserve' | 'commit' | 'place'>>;

/**
 * `ledger` with some of its behaviour changed: the same counts, shared with
 * every other user of it; its own methods see the changes too (a `limit` of 0
 * makes `available()` unlimited).
 */
export function ledgerView(ledger: QuotaLedger, overrides: LedgerOverrides): QuotaLedger {
  return new Proxy(ledger, {
    get: (target, key, receiver) => (Object.hasOwn(overrides, key) ? (overrides as Record<PropertyKey, unknown>)[key] : Reflect.get(target, key, receiver)),
  });
}

/** `ledger` without a limit: it takes whatever it is given. */
const unlimited = (ledger: QuotaLedger) => ledgerView(ledger, { limit: 0 });

/** Sessions whose upload wrote past the limit (quota-overflow-kept). */
const passedLimit = new WeakSet<Session>();

/** The naive server that writes first and checks after: every byte lands and is counted, then 552. */
function writesFirstChecksAfter(parts: ServerParts): ServerParts {
  const counting = uploadsCountAgainst(parts, (session, _path, ledger) =>
    ledger && ledgerView(ledger, {
      tryReserve: (bytes) => {
        if (!ledger.tryReserve(bytes) && unlimited(ledger).tryReserve(bytes)) passedLimit.add(session);
        return true;
      },
    }),
  );
  const quotaExceeded = replyForError(new QuotaExceededError(''));
  return withHandlers(counting, UPLOAD_VERBS, (inner) => {
    const answering552 = rewritingReplies(inner, (reply, session) => (reply.code === Reply.closingDataSuccess && passedLimit.has(session) ? quotaExceeded : reply));
    return async (session, argument) => {
      passedLimit.delete(session);
      try {
        await answering552(session, argument);
      } finally {
        passedLimit.delete(session);
      }
    };
  });
}

/** Per session, how to take back what its running upload has counted as kept. */
const uncountKept = new WeakMap<Session, () => void>();

/** Uploads whose bytes, when the transfer is cut (not refused for quota), stay on disk but leave the count. */
function cutUploadsUncounted(parts: ServerParts): ServerParts {
  const counting = uploadsCountAgainst(parts, (session, _path, ledger) => {
    if (!ledger) return null;
    let kept = 0;
    uncountKept.set(session, () => ledger.adjust(-kept));
    return ledgerView(ledger, {
      commit: (bytes) => {
        kept += bytes;
        ledger.commit(bytes);
      },
    });
  });
  return withHandlers(counting, UPLOAD_VERBS, (inner) => async (session, argument) => {
    const runTransfer = session.runTransfer;
    session.runTransfer = (announce, work) =>
      runTransfer.call(session, announce, async (data, signal) => {
        try {
          return await work(data, signal);
        } catch (error) {
          if (!(error instanceof QuotaExceededError)) uncountKept.get(session)?.();
          throw error;
        }
      });
    try {
      await inner(session, argument);
    } finally {
      // Back to the class's own method.
      delete (session as { runTransfer?: unknown }).runTransfer;
      uncountKept.delete(session);
    }
  });
}

/** Each session's own ledger of its home, measured from disk when the session first needs it. */
const sessionLedgers = new WeakMap<Session, QuotaLedger>();

async function ledgerOfSession(session: Session, shared: QuotaLedger): Promise<QuotaLedger> {
  let ledger = sessionLedgers.get(session);
  if (!ledger) {
    ledger = new QuotaLedger(shared.home, await measureUsage(join(session.context.layout.storage, shared.home)), () => shared.limit);
    sessionLedgers.set(session, ledger);
  }
  return ledger;
}

export const UPLOAD_QUOTA_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  // Uploads counted but never refused (SITE QUOTA's limit=0 is parts/site.ts's).
  'quota-ignored': {
    parts: (parts) => uploadsCountAgainst(parts, (_session, _path, ledger) => ledger && unlimited(ledger)),
  },
  // One look at the usage when the upload starts (ledgerFor is asked then), none after.
  'quota-checked-at-start': {
    parts: (parts) =>
      uploadsCountAgainst(parts, (_session, _path, ledger) => {
        if (ledger && ledger.available() <= 0) throw new QuotaExceededError(ledger.home);
        return ledger && unlimited(ledger);
      }),
  },
  'quota-limit-inclusive': {
    parts: (parts) => uploadsCountAgainst(parts, (_session, _path, ledger) => ledger && ledgerView(ledger, { tryReserve: (bytes) => bytes < ledger.available() && ledger.tryReserve(bytes) })),
  },
  // The upload's own bytes compared with the limit, not added to the home's usage (each upload asks ledgerFor once).
  'quota-per-file': {
    parts: (parts) =>
      uploadsCountAgainst(parts, (_session, _path, ledger) => {
        let own = 0;
        return ledger && ledgerView(ledger, {
          tryReserve: (bytes) => {
            if (ledger.limit !== 0 && own + bytes > ledger.limit) return false;
            own += bytes;
            return unlimited(ledger).tryReserve(bytes);
          },
        });
      }),
  },
  'quota-overflow-kept': { parts: writesFirstChecksAfter },
  // The new file put in place, the old one still counted.
  'quota-replace-not-credited': {
    parts: (parts) =>
      uploadsCountAgainst(parts, (_session, _path, ledger) =>
        ledger && ledgerView(ledger, {
          place: async (_bytes, reserved, _replaced, move) => {
            await move();
            ledger.commit(reserved);
          },
        }),
      ),
  },
  'quota-abort-not-counted': { parts: cutUploadsUncounted },
  'quota-per-session': {
    parts: (parts) => ({
      ...parts,
      quotaLedger: async (session, path) => {
        const shared = await parts.quotaLedger(session, path);
        return shared && ledgerOfSession(session, shared);
      },
    }),
  },
  'quota-only-in-cwd': {
    parts: (parts) => uploadsCountAgainst(parts, (session, path, ledger) => (virtualParent(path) === session.cwd ? ledger : null)),
  },
};
