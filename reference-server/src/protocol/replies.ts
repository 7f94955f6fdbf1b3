/**
 * Reply codes by name, each with the RFC that defines it, and the one reply formatter.
 */
export const Reply = {
  restartMarker: 110, // RFC 959 §4.2.2
  serviceReadySoon: 120,
  dataOpenTransferStarting: 125,
  fileStatusOkOpeningData: 150,
  ok: 200,
  superfluous: 202,
  systemStatus: 211, // RFC 959; also FEAT (RFC 2389 §3.2)
  directoryStatus: 212,
  fileStatus: 213, // also SIZE, MDTM (RFC 3659), HASH (draft-bryan-ftpext-hash), AVBL
  help: 214,
  systemType: 215,
  serviceReady: 220,
  closingControl: 221,
  closingDataSuccess: 226,
  abortOk: 225,
  enteringPassive: 227,
  enteringExtendedPassive: 229, // RFC 2428 §3
  loggedIn: 230,
  securityExchangeDone: 234, // RFC 4217 §4.1 (AUTH)
  fileActionOk: 250,
  pathCreated: 257,
  needPassword: 331,
  needAccount: 332,
  pendingFurtherInfo: 350,
  serviceNotAvailable: 421,
  cannotOpenData: 425,
  transferAborted: 426,
  fileUnavailableBusy: 450,
  localError: 451,
  insufficientStorage: 452,
  syntaxError: 500,
  argumentSyntaxError: 501,
  notImplemented: 502,
  badSequence: 503,
  parameterNotImplemented: 504,
  protocolNotSupported: 522, // RFC 2428 §2 (EPRT network protocol)
  notLoggedIn: 530,
  requestDeniedPolicy: 534, // RFC 4217 §4.1
  protectionLevelNotSupported: 536, // RFC 4217
  fileUnavailable: 550,
  pageTypeUnknown: 551,
  exceededStorage: 552,
  fileNameNotAllowed: 553,
} as const;

export type ReplyCode = (typeof Reply)[keyof typeof Reply];

/** Text of a reply must not break the framing: no CR, LF or NUL, and a line that starts with digits gets a space (RFC 959 §4.2). */
function cleanLine(text: string): string {
  return text.replace(/[\r\n\0]/g, ' ');
}

/**
 * Formats a reply as the bytes to send. One line: `code text`. Several lines:
 * `code-first`, inner lines indented by one space, `code last` (RFC 959 §4.2).
 */
export function formatReply(code: number, text: string | readonly string[]): string {
  const lines = (typeof text === 'string' ? [text] : [...text]).map(cleanLine);
  if (lines.length === 0) lines.push('');
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  const last = lines.pop() as string;
  const [first, ...middle] = lines;
  const body = middle.map((line) => ` ${line}`);
  return [`${code}-${first}`, ...body, `${code} ${last}`].join('\r\n') + '\r\n';
}
