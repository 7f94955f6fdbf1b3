/**
 * Finds server-side paths in what a server sent: absolute host paths, the
 * target's own data folder, Windows drive and UNC paths. Pure.
 */

const HOST_PATH = /(^|[\s"'(=:])\/(home|root|etc|var|tmp|usr|srv|opt|proc|sys|mnt|data|private|Users)\/[^\s"')]*/;
const WINDOWS_PATH = /\b[A-Za-z]:\\[^\s"']*/;
const UNC_PATH = /\\\\[A-Za-z0-9_.-]+\\[^\s"']*/;

/** The first leak in `text`, or null. `knownRoots` are the target's own folders (e.g. an embedded server's data folder). */
export function findServerPath(text: string, knownRoots: readonly string[] = []): string | null {
  for (const root of knownRoots) {
    if (root.length > 1 && text.includes(root)) return root;
  }
  const match = HOST_PATH.exec(text) ?? WINDOWS_PATH.exec(text) ?? UNC_PATH.exec(text);
  return match ? match[0].trim() : null;
}
