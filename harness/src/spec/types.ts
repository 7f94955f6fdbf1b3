/**
 * The spec language, as TypeScript types. The JSON Schema in spec.schema.json
 * is the contract; these types mirror it for the engine.
 */
import type { Level, Severity } from '../engine/results.ts';

export type Role = 'user' | 'user2' | 'admin' | 'quota' | 'anonymous';
export type Basis = 'rfc' | 'file-manager' | 'hardening';
export type DataModeName = 'pasv' | 'epsv' | 'port' | 'eprt';

/** What a reply must look like. Every field given must hold. */
export interface ReplyExpectation {
  code?: number;
  codes?: number[];
  /** First digit(s) allowed, e.g. 2 or [4, 5]. */
  class?: number | number[];
  notCodes?: number[];
  /** Regular expression the reply text must match. */
  text?: string;
  notText?: string;
  /** The reply must span at least this many lines. */
  minLines?: number;
  /** The connection must be closed (a final reply before closing is allowed and checked if code/codes given). */
  closed?: boolean;
  /** Either a matching reply or a closed connection passes. */
  orClosed?: boolean;
  /** Variables taken from the reply text: name -> regex with one capture group. */
  capture?: Record<string, string>;
  /** Variable that receives the reply's code ("closed" when a closed connection was accepted). */
  captureCode?: string;
  /** On steps that send a command: the reply must take at least this many ms to come (a deliberate delay). */
  minDelayMs?: number;
  /** Milliseconds to wait for the reply. */
  timeoutMs?: number;
  /** Human words for the expectation, shown in a failure. */
  because?: string;
  /** Adds 1 to this variable (set it to 0 first) when the reply is a 2xx: counts successes across parallel branches. */
  tally?: string;
}

export interface DataExpectation {
  contains?: string[];
  notContains?: string[];
  matches?: string;
  notMatches?: string;
  length?: number | string;
  /** The data must equal the content remembered under this name. */
  equalsContentOf?: string;
  /** With equalsContentOf: compare with the remembered bytes from this offset on (what REST n then RETR sends). */
  fromByte?: number | string;
  equals?: string;
  /** The data must equal, whole, one of the contents remembered under these names (old or new, never a mix). */
  equalsOneOf?: string[];
  /** Plain words for what the data must (not) hold, shown in a failure instead of the patterns. */
  because?: string;
}

/** What every step may say about its part in the case (see docs/spec-language.md, "Checks and setup"). */
export interface StepRole {
  /** true: a wrong answer here fails the case; false: setup, a wrong answer makes it "not checked". Default: see isCheckStep. */
  check?: boolean;
  /** The story shown when this check step fails, instead of the case's warning. */
  warning?: string;
}

interface StepBase extends StepRole {
  session?: string;
  expect?: ReplyExpectation;
  /** Free words shown for this step in a failure. */
  note?: string;
}

/** Steps that run a transfer over a data channel. */
interface TransferStepBase extends StepBase {
  /** The 1xx reply that must come before the transfer (RFC 959 §5.4: 125 or 150); absent: not checked. */
  preliminary?: ReplyExpectation;
}

/** `fromByte` with `fromContentOf`: upload the remembered bytes from that offset on (what a client sends after REST n). */
export type PutSource = { content?: string; random?: number | string; allBytes?: boolean; fromContentOf?: string; fromByte?: number | string };

export interface PutStep extends TransferStepBase, PutSource {
  put: string;
  command?: 'STOR' | 'APPE' | 'STOU';
  mode?: DataModeName;
  rest?: number | string;
  /** Remember the uploaded bytes under this name (for a later get/expect). */
  remember?: string;
  /** Send only this many bytes, then cut the data connection (an interrupted upload). */
  stopAfter?: number | string;
  /** Command lines sent after REST and the data channel's PASV/PORT, right before STOR/APPE/STOU (any reply). */
  sendBefore?: string[];
  /** Send the upload no faster than this many bytes per second (a slow client). */
  writeBytesPerSecond?: number | string;
}

export interface GetStep extends TransferStepBase {
  get: string;
  mode?: DataModeName;
  rest?: number | string;
  data?: DataExpectation;
  remember?: string;
  stopAfter?: number | string;
  /** Command lines sent after REST and the data channel's PASV/PORT, right before RETR (any reply). */
  sendBefore?: string[];
  /** Read the download no faster than this many bytes per second (a slow client). */
  readBytesPerSecond?: number | string;
}

export interface ListStep extends TransferStepBase {
  list: string;
  command?: 'LIST' | 'NLST' | 'MLSD';
  mode?: DataModeName;
  data?: DataExpectation;
}

export interface DataStep extends TransferStepBase {
  data: DataExpectation;
  command: string;
  mode?: DataModeName;
  upload?: string;
  stopAfter?: number | string;
  /** Expected reply to the PASV/EPSV/PORT/EPRT that opens the channel, when it may be refused. */
  open?: ReplyExpectation;
  /** port/eprt: the address to listen on and announce instead of our own (e.g. 127.0.0.2, a third host). */
  activeHost?: string;
}

export type Step =
  | (StepBase & { connect: true | Role; plain?: boolean })
  | (StepBase & { login: Role; stayAtRoot?: boolean })
  | (StepBase & { send: string })
  | (StepBase & { raw: string })
  | (StepBase & { bytes: { repeat: string; count: number; prefix?: string; suffix?: string } })
  | (StepBase & { read: true })
  | (StepBase & { close: true })
  | (StepBase & { quit: true })
  /** AUTH TLS and the TLS handshake on the control connection; `protect`: then PBSZ 0 and PROT P, and later data channels use TLS. */
  | (StepBase & { startTls: true; protect?: boolean })
  /**
   * A bare TCP connection to the target's host at this port; `open: false`: it must be refused (or not answered);
   * `open: either`: whichever.
   * `from`: the local address to connect from (127.0.0.2 stands for another host); `holdMs`: keep it open that
   * long, reading, and check what came against `received`.
   */
  | (StepBase & { tcpConnect: number | string; open?: boolean | 'either'; from?: string; holdMs?: number | string; received?: DataExpectation })
  | (StepBase & { cd: string })
  | (StepBase & { mkdir: string })
  | (StepBase & { delete: string })
  | (StepBase & { rmdir: string })
  | (StepBase & { rename: { from: string; to: string } })
  | (StepBase & { site: string })
  | (StepBase & { size: string; equals?: number | string })
  | PutStep
  | GetStep
  | ListStep
  | DataStep
  | (StepBase & { openData: DataModeName })
  | (StepRole & { set: Record<string, string | number> })
  | (StepRole & { assert: { left: string; op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'matches' | 'notMatches'; right: string }; note?: string })
  | (StepRole & { sleep: number | string })
  | (StepRole & { repeat: { times: number | string; steps: Step[] } })
  | (StepRole & { parallel: { session: string; steps: Step[] }[] })
  | (StepRole & { barrier: string });

export interface SpecCase {
  id: string;
  title: string;
  severity: Severity;
  level?: Level;
  /**
   * Where the requirement comes from: `rfc` (default, level as declared), `file-manager` (the project's
   * file-manager protocol: MUST when the target claims it, SHOULD otherwise), `hardening` (common practice: SHOULD).
   */
  basis?: Basis;
  references: string[];
  requires?: string[];
  warning: string;
  /** The case must run with no other case at the same time (load, limits, timeouts). */
  alone?: boolean;
  /**
   * The case spends its time waiting (on the target's idle or data timeout, a paced transfer), not loading the
   * target: it starts at once, beside the --jobs cases, instead of holding one of their slots while it waits.
   */
  waits?: boolean;
  /** Cases with the same name run one at a time (they share state on the target, e.g. one account's usage), beside the others. */
  exclusive?: string;
  /** Check every reply and listing of the case for server-side paths. */
  checkLeaks?: boolean;
  steps: Step[];
  cleanup?: Step[];
  timeoutMs?: number;
}

export interface SpecFile {
  suite: string;
  description?: string;
  cases: SpecCase[];
}

export interface LoadedCase extends SpecCase {
  suite: string;
  file: string;
  line: number;
}
