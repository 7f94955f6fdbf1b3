/** Where to read about a reference a case cites: RFCs, CWEs, CVEs. Pure. */

export function referenceLink(reference: string): string | null {
  const rfc = /\bRFC\s*(\d{3,4})(?:\s*§\s*([\d.]+))?/i.exec(reference);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${rfc[2] ? `#section-${rfc[2].replace(/\.$/, '')}` : ''}`;
  const cwe = /\bCWE-(\d+)/i.exec(reference);
  if (cwe) return `https://cwe.mitre.org/data/definitions/${cwe[1]}.html`;
  const cve = /\bCVE-\d{4}-\d{4,}/i.exec(reference);
  if (cve) return `https://www.cve.org/CVERecord?id=${cve[0].toUpperCase()}`;
  const draft = /\bdraft-[a-z0-9-]+/i.exec(reference);
  if (draft) return `https://datatracker.ietf.org/doc/${draft[0]}/`;
  return null;
}
