/**
 * Regenerates the results pages: one per peer (docs/peer-results/<peer>.md) and, when run
 * for every peer, one per suite (docs/peer-results/<suite>.md, a column per peer):
 *
 *   node --import tsx scripts/peer-check.ts <peer> --json     # writes reports/<peer>/results.json
 *   node --import tsx scripts/peer-results.ts [peer...]       # default: every peer with a report
 *
 * Each page lists every failed case of the report with the verdict kept by hand in
 * docs/peer-results/verdicts.yaml (genuine / false alarm / true but wrong level, with the
 * RFC sentence). Failures without a verdict, and verdicts for cases that no longer fail,
 * are printed so the data can be brought up to date; the pages themselves are never edited.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PEER_NAMES, REPO_ROOT, type PeerName } from '../harness/src/peers/recipes.ts';
import { renderResultsPage, renderSuitePage, staleVerdicts, type Report, type Verdict, type VerdictKind } from '../harness/src/peers/results-page.ts';

const VERDICTS_FILE = join(REPO_ROOT, 'docs', 'peer-results', 'verdicts.yaml');
const KINDS: readonly VerdictKind[] = ['genuine', 'false-alarm', 'level', 'unsure'];

interface VerdictEntry extends Verdict {
  cases: string[];
}
interface PeerVerdicts {
  command?: string;
  report?: string;
  verdicts?: VerdictEntry[];
  leftOut?: VerdictEntry[];
}

function fail(message: string): never {
  process.stderr.write(`peer-results: ${message}\n`);
  process.exit(2);
}

/** Expands the file's "one verdict for several cases" entries into a map by case id. */
function byCase(entries: VerdictEntry[] | undefined, where: string): Record<string, Verdict> {
  const map: Record<string, Verdict> = {};
  for (const [index, entry] of (entries ?? []).entries()) {
    if (!Array.isArray(entry.cases) || entry.cases.length === 0) fail(`${where}[${index}]: "cases" must be a non-empty list`);
    if (!KINDS.includes(entry.verdict)) fail(`${where}[${index}]: verdict must be one of ${KINDS.join(', ')}, got ${String(entry.verdict)}`);
    if (typeof entry.basis !== 'string' || entry.basis.trim() === '') fail(`${where}[${index}]: "basis" (the RFC sentence) is required`);
    const { cases, ...verdict } = entry;
    for (const id of cases) {
      if (map[id]) fail(`${where}: case ${id} has two verdicts`);
      map[id] = verdict;
    }
  }
  return map;
}

function peerVersion(name: PeerName): string {
  const dpkg = (pkg: string) => execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  const unpacked = (dir: string) => readFileSync(join(REPO_ROOT, '.peers', dir, '.ftp-check-unpacked'), 'utf8').split(' ')[1]?.trim() ?? '?';
  const npm = (pkg: string) => (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  try {
    switch (name) {
      case 'vsftpd':
        return dpkg('vsftpd');
      case 'pyftpdlib':
        return dpkg('python3-pyftpdlib');
      case 'pure-ftpd':
      case 'proftpd':
      case 'ftpd-ssl':
        return unpacked(name);
      case 'ftp-srv':
        return npm('ftp-srv');
      case 'nodeftpd':
        return `(npm ftpd ${npm('ftpd')})`;
    }
  } catch {
    return '(version unknown)';
  }
}

const allVerdicts = (parse(readFileSync(VERDICTS_FILE, 'utf8')) ?? {}) as Record<string, PeerVerdicts>;
const requested = process.argv.slice(2);
for (const name of requested) if (!PEER_NAMES.includes(name as PeerName)) fail(`unknown peer ${name} (one of ${PEER_NAMES.join(', ')})`);
const peers = (requested.length > 0 ? requested : PEER_NAMES) as PeerName[];

const suiteColumns: Parameters<typeof renderSuitePage>[0]['peers'] = [];
for (const peer of peers) {
  const own = allVerdicts[peer] ?? {};
  const reportPath = join(REPO_ROOT, own.report ?? join('reports', peer, 'results.json'));
  if (!existsSync(reportPath)) {
    if (requested.length > 0) fail(`${reportPath} not found: run scripts/peer-check.ts ${peer} --json first`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  const verdicts = byCase(own.verdicts, `${peer}.verdicts`);
  const leftOut = byCase(own.leftOut, `${peer}.leftOut`);
  suiteColumns.push({ peer, report, verdicts, leftOut });
  const page = renderResultsPage({
    peer,
    version: peerVersion(peer),
    command: own.command ?? `node --import tsx scripts/peer-check.ts ${peer} --json`,
    report,
    verdicts,
    leftOut,
  });
  const out = join(REPO_ROOT, 'docs', 'peer-results', `${peer}.md`);
  writeFileSync(out, page);
  const unjudged = report.cases.filter((testCase) => testCase.status === 'failed' && !verdicts[testCase.id]).map((testCase) => testCase.id);
  const stale = staleVerdicts(report, verdicts);
  process.stdout.write(`${out}: ${report.cases.filter((c) => c.status === 'failed').length} failures\n`);
  if (unjudged.length > 0) process.stdout.write(`  no verdict yet: ${unjudged.join(' ')}\n`);
  if (stale.length > 0) process.stdout.write(`  verdicts for cases that did not fail this run: ${stale.join(' ')}\n`);
}

// The suite pages compare peers side by side: only when every peer's report is at hand.
if (requested.length === 0 && suiteColumns.length === PEER_NAMES.length) {
  const suites = [...new Set(suiteColumns.flatMap(({ report }) => report?.cases.map((testCase) => testCase.suite) ?? []))].sort();
  for (const suite of suites) {
    const out = join(REPO_ROOT, 'docs', 'peer-results', `${suite}.md`);
    writeFileSync(out, renderSuitePage({ suite, peers: suiteColumns }));
    process.stdout.write(`${out}\n`);
  }
} else if (requested.length === 0) {
  process.stdout.write(`suite pages not written: reports for ${suiteColumns.length} of ${PEER_NAMES.length} peers\n`);
}
