/**
 * One FTP session under load: the wire layer's ControlConnection, with every
 * operation timed and reported to a recorder, and every failure classified
 * (refused, timeout, reset, 421, reply code, closed, data, corrupt) in one place.
 * A failed operation is recorded once and thrown as a StressFailure, which ends
 * the iteration. Transcripts are kept short (the last lines are what an error
 * example shows).
 */
import { performance } from 'node:perf_hooks';
import { ConnectError, ControlConnection } from '../wire/control-connection.ts';
import { Transcript } from '../wire/transcript.ts';
import { describeOutcome, type Outcome } from '../wire/outcome.ts';
import { openDataChannel } from '../wire/data-channel.ts';
import { runTransfer } from '../wire/transfer.ts';
import type { Reply } from '../wire/reply-parser.ts';
import type { Account } from '../target/profile.ts';
import type { ErrorKind } from './metrics.ts';
import { checkAgainst, createDigester, type Digest, type DigestAlgorithm, type Digester, type Expected } from './integrity.ts';
import { streamDownload, type ByteSink, type PassiveMode } from './data-stream.ts';

export class StressFailure extends Error {
  constructor(
    readonly op: string,
    readonly kind: ErrorKind,
    /** Groups errors in the report: the kind, or `reply 550` for a reply code. */
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'StressFailure';
  }
}

/** Where a session reports. The runner gives each iteration its own (warm-up, scheduled start). */
export interface OpRecorder {
  success(op: string, startMs: number, endMs: number): void;
  /** A control connection got its greeting. */
  sessionOpened(): void;
  failure(failure: StressFailure, transcriptTail: string[]): void;
  bytes(down: number, up: number): void;
  verified(): void;
}

export interface SessionSettings {
  host: string;
  port: number;
  tls: boolean;
  replyTimeoutMs: number;
  transferTimeoutMs: number;
  dataMode: PassiveMode;
  digest: DigestAlgorithm;
}

const TRANSCRIPT_LINES = 40;
const EXAMPLE_LINES = 12;
/** Without a known length, a download past this is a server gone wrong. */
const MAX_UNKNOWN_DOWNLOAD = 16 * 1024 ** 3;

/** A failure from an outcome that was not one of the wanted replies. */
export function failureOf(op: string, outcome: Outcome): StressFailure {
  const words = `${op}: ${describeOutcome(outcome)}`;
  switch (outcome.kind) {
    case 'reply':
      if (outcome.reply.code === 421) return new StressFailure(op, '421', '421', words);
      return new StressFailure(op, 'reply', `reply ${outcome.reply.code}`, words);
    case 'timeout':
      return new StressFailure(op, 'timeout', 'timeout', words);
    case 'closed':
      return /reset|ECONNRESET|EPIPE/i.test(outcome.reason) ? new StressFailure(op, 'reset', 'reset', words) : new StressFailure(op, 'closed', 'closed', words);
  }
}

function failureOfConnect(error: unknown): StressFailure {
  if (error instanceof ConnectError) {
    const kind: ErrorKind = error.reason === 'refused' ? 'refused' : error.reason === 'timeout' ? 'timeout' : error.reason === 'reset' ? 'reset' : 'other';
    return new StressFailure('connect', kind, kind === 'other' ? `connect ${error.reason}` : kind, `connect: ${error.message}`);
  }
  return new StressFailure('connect', 'other', 'other', `connect: ${(error as Error).message}`);
}

/** A data-side failure: a reset is a reset, anything else a data error. */
function dataFailure(op: string, reason: string): StressFailure {
  return /reset|ECONNRESET|EPIPE/i.test(reason) ? new StressFailure(op, 'reset', 'reset', `${op}: ${reason}`) : new StressFailure(op, 'data', 'data', `${op}: ${reason}`);
}

/** PASV/EPSV refused is the reply's failure; a passive port we cannot reach is a data failure. */
function openFailure(op: string, opened: { error: string; outcome?: Outcome }): StressFailure {
  const outcome = opened.outcome;
  const passiveOk = outcome?.kind === 'reply' && (outcome.reply.code === 227 || outcome.reply.code === 229);
  return outcome && !passiveOk ? failureOf(op, outcome) : dataFailure(op, opened.error);
}

export class StressSession {
  recorder: OpRecorder;
  private constructor(
    private readonly control: ControlConnection,
    private readonly settings: SessionSettings,
    recorder: OpRecorder,
  ) {
    this.recorder = recorder;
  }

  /** Connects and reads the greeting (and does AUTH TLS with --tls): the `connect` operation. */
  static async open(settings: SessionSettings, recorder: OpRecorder, label: string): Promise<StressSession> {
    const transcript = new Transcript(label, { maxEntries: TRANSCRIPT_LINES });
    const start = performance.now();
    let control: ControlConnection;
    try {
      control = await ControlConnection.connect({ host: settings.host, port: settings.port, timeoutMs: settings.replyTimeoutMs, transcript, label });
    } catch (error) {
      const failure = failureOfConnect(error);
      recorder.failure(failure, transcript.tail(EXAMPLE_LINES));
      throw failure;
    }
    const session = new StressSession(control, settings, recorder);
    const greeting = await control.readReply(settings.replyTimeoutMs);
    if (greeting.kind !== 'reply' || greeting.reply.code !== 220) session.fail(failureOf('connect', greeting));
    if (settings.tls) {
      const auth = await control.command('AUTH TLS', settings.replyTimeoutMs);
      if (auth.kind !== 'reply' || auth.reply.code !== 234) session.fail(failureOf('connect', auth));
      try {
        await control.upgradeToTls({ rejectUnauthorized: false, timeoutMs: settings.replyTimeoutMs });
      } catch (error) {
        session.fail(failureOfConnect(error));
      }
      for (const line of ['PBSZ 0', 'PROT P']) {
        const reply = await control.command(line, settings.replyTimeoutMs);
        if (reply.kind !== 'reply' || reply.reply.code !== 200) session.fail(failureOf('connect', reply));
      }
    }
    recorder.sessionOpened();
    recorder.success('connect', start, performance.now());
    return session;
  }

  isClosed(): boolean {
    return this.control.isClosed();
  }

  /** USER then PASS: the `login` operation. */
  async login(account: Account): Promise<void> {
    const start = performance.now();
    const user = await this.control.command(`USER ${account.name}`, this.settings.replyTimeoutMs);
    let final = user;
    if (user.kind === 'reply' && user.reply.code === 331) final = await this.control.command(`PASS ${account.password}`, this.settings.replyTimeoutMs);
    if (final.kind !== 'reply' || final.reply.code !== 230) this.fail(failureOf('login', final));
    this.recorder.success('login', start, performance.now());
  }

  /** One command; any reply outside `ok` fails. The operation is named by its verb. */
  async command(line: string, ok: readonly number[], op = line.split(' ')[0]?.toUpperCase() ?? line): Promise<Reply> {
    const start = performance.now();
    const outcome = await this.control.command(line, this.settings.replyTimeoutMs);
    if (outcome.kind !== 'reply' || !ok.includes(outcome.reply.code)) this.fail(failureOf(op, outcome));
    this.recorder.success(op, start, performance.now());
    return (outcome as { reply: Reply }).reply;
  }

  /**
   * RETR, streamed through a check: with `expected`, any other byte is a `corrupt`
   * error (byte for byte when the run holds the content, else by digest). Without
   * it, returns the digest of what came (--digest).
   */
  async download(path: string, expected: Expected | null, op = 'RETR'): Promise<Digest> {
    const digester = expected ? null : createDigester(this.settings.digest);
    const check = expected ? checkAgainst(expected) : null;
    const known = expected ? (expected.content?.length ?? expected.digest.length) : null;
    const start = performance.now();
    await this.retrieve(path, (check ?? digester) as ByteSink, known === null ? MAX_UNKNOWN_DOWNLOAD : known + 1, op, expected !== null);
    if (check) {
      const difference = check.verdict();
      if (difference !== null) {
        this.control.transcript.note(`integrity: ${path}: ${difference}`);
        this.fail(new StressFailure(op, 'corrupt', 'corrupt', `${op} ${path}: ${difference}`));
      }
      this.recorder.verified();
    }
    // Only now is it a success: a corrupt transfer is an error, never a measured download.
    this.recorder.success(op, start, performance.now());
    return expected ? expected.digest : (digester as Digester).digest();
  }

  /** RETR into memory (copied: the stream's buffers are reused), at most `maxBytes`. */
  async fetch(path: string, maxBytes: number, op = 'RETR'): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const start = performance.now();
    await this.retrieve(path, { update: (chunk) => chunks.push(Buffer.from(chunk)) }, maxBytes, op, false);
    this.recorder.success(op, start, performance.now());
    return Buffer.concat(chunks);
  }

  /** RETR into `sink`; records failures, not the success (the caller judges the bytes first). */
  private async retrieve(path: string, sink: ByteSink, maxBytes: number, op: string, lengthKnown: boolean): Promise<void> {
    const result = await streamDownload(this.control, this.settings.dataMode, `RETR ${path}`, sink, {
      timeoutMs: this.settings.transferTimeoutMs,
      replyTimeoutMs: this.settings.replyTimeoutMs,
      tls: this.settings.tls,
      maxBytes,
    });
    this.recorder.bytes(result.bytes, 0);
    if (result.openFailure) this.fail(failureOf(op, result.openFailure));
    if (result.final === undefined) this.fail(dataFailure(op, result.dataError ?? 'no data connection'));
    const final = result.final as Outcome;
    if (final.kind !== 'reply' || final.reply.code >= 300) this.fail(failureOf(op, final));
    if (result.dataError !== undefined) {
      // More bytes than the file has is corruption, not a network problem.
      if (lengthKnown && result.bytes > maxBytes - 1) this.fail(new StressFailure(op, 'corrupt', 'corrupt', `${op} ${path}: ${result.dataError}`));
      this.fail(dataFailure(op, result.dataError));
    }
  }

  /** STOR of `content` (the wire layer's transfer: the bytes are in memory anyway). */
  async upload(path: string, content: Buffer, op = 'STOR'): Promise<void> {
    const start = performance.now();
    const opened = await openDataChannel(this.control, this.settings.dataMode, { timeoutMs: this.settings.replyTimeoutMs, tls: this.settings.tls, passiveHost: 'control-peer' });
    if ('error' in opened) this.fail(openFailure(op, opened));
    const { channel } = opened as Extract<typeof opened, { channel: unknown }>;
    const result = await runTransfer(this.control, channel, `STOR ${path}`, { upload: content, timeoutMs: this.settings.transferTimeoutMs });
    this.recorder.bytes(0, result.sent ?? 0);
    if (result.final.kind !== 'reply' || result.final.reply.code >= 300) this.fail(failureOf(op, result.final));
    if (result.dataError !== undefined) this.fail(dataFailure(op, result.dataError));
    if (result.sent !== content.length) this.fail(dataFailure(op, `sent ${result.sent ?? 0} of ${content.length} bytes`));
    this.recorder.success(op, start, performance.now());
  }

  /** LIST (or NLST) of `path`, read to the end; returns the listing. */
  async list(path: string, verb: 'LIST' | 'NLST' = 'LIST'): Promise<Buffer> {
    const start = performance.now();
    const opened = await openDataChannel(this.control, this.settings.dataMode, { timeoutMs: this.settings.replyTimeoutMs, tls: this.settings.tls, passiveHost: 'control-peer', maxReceiveBytes: 64 * 1024 * 1024 });
    if ('error' in opened) this.fail(openFailure(verb, opened));
    const { channel } = opened as Extract<typeof opened, { channel: unknown }>;
    const result = await runTransfer(this.control, channel, path === '' ? verb : `${verb} ${path}`, { timeoutMs: this.settings.transferTimeoutMs });
    this.recorder.bytes(result.data?.length ?? 0, 0);
    if (result.final.kind !== 'reply' || result.final.reply.code >= 300) this.fail(failureOf(verb, result.final));
    if (result.dataError !== undefined) this.fail(dataFailure(verb, result.dataError));
    this.recorder.success(verb, start, performance.now());
    return result.data ?? Buffer.alloc(0);
  }

  /** QUIT (221, or the server closing, both fine), then close. */
  async quit(): Promise<void> {
    const start = performance.now();
    const outcome = await this.control.command('QUIT', this.settings.replyTimeoutMs);
    const ok = (outcome.kind === 'reply' && outcome.reply.code === 221) || (outcome.kind === 'closed' && !/reset/i.test(outcome.reason));
    if (!ok) this.fail(failureOf('QUIT', outcome));
    this.recorder.success('QUIT', start, performance.now());
    // The session is over at the 221; the server's FIN is not waited for (close() bounds it).
    void this.control.close();
  }

  /** Goes away without QUIT (FIN only), as a client that crashed or lost its network would. */
  drop(): void {
    void this.control.close();
  }

  /** Closes quietly, for the end of a run (no measure). */
  async close(): Promise<void> {
    await this.control.close();
  }

  /** QUIT without measuring, bounded, for workers that end. */
  async release(): Promise<void> {
    if (!this.control.isClosed()) await this.control.command('QUIT', Math.min(2000, this.settings.replyTimeoutMs));
    await this.control.close();
  }

  private fail(failure: StressFailure): never {
    this.recorder.failure(failure, this.control.transcript.tail(EXAMPLE_LINES));
    // A reply error leaves the session usable, unless more replies came than commands
    // (vsftpd's "500 OOPS" pair): then every later reply would answer the wrong command.
    const desynchronized = this.control.queuedReplies() > 0;
    if (desynchronized) this.control.transcript.note('replies out of step with commands: session dropped');
    if ((failure.kind !== 'reply' && failure.kind !== 'corrupt') || desynchronized) void this.control.close();
    throw failure;
  }
}
