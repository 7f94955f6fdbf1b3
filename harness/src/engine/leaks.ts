/**
 * Finds server-side paths in what a server sent: absolute host paths, the
 * target's own data folder, Windows drive and UNC paths. Pure.
 *
 * A path that merely echoes what the client itself sent (a server answering
 * `550 /etc/passwd: not found` to `RETR ../../etc/passwd`, the virtual path
 * inside the jail) tells the client nothing new and is not a leak; the
 * target's own folders always are.
 */

const HOST_PATH = /(^|[\s"'(=:])(\/(?:home|root|etc|var|tmp|usr|srv|opt|proc|sys|mnt|data|private|Users)\/[^\s"')]*)/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\[^\s"']*/g;
const UNC_PATH = /\\\\[A-Za-z0-9_.-]+\\[^\s"']*/g;

/**
 * The same path however a server quoted it back: doubled backslashes (`C:\\x`), doubled quotes (`""`),
 * a list or repr around it (`['/etc/passwd']`), trailing punctuation.
 */
function normalize(text: string): string {
  return text.replace(/\\\\/g, '\\').replace(/""/g, '"').replace(/^[\s'"([{]+|[\s'")\]},.;:]+$/g, '');
}

function isEcho(path: string, sent: string): boolean {
  const core = normalize(path).replace(/^[\\/]+/, '');
  return core.length > 0 && normalize(sent).includes(core);
}

/** The first leak in `text`, or null. `knownRoots` are the target's own folders; `sent` is what the client sent so far. */
export function findServerPath(text: string, knownRoots: readonly string[] = [], sent = ''): string | null {
  for (const root of knownRoots) {
    if (root.length > 1 && text.includes(root)) return root;
  }
  for (const pattern of [HOST_PATH, WINDOWS_PATH, UNC_PATH]) {
    for (const match of text.matchAll(pattern)) {
      const path = (match[2] ?? match[0]).trim();
      if (!isEcho(path, sent)) return path;
    }
  }
  return null;
}
