/**
 * One shell session: the control connection, what the shell knows of the server
 * (FEAT, the current folder's names), the transfer settings, and the live
 * checks. Every command line goes out through `exchange` or `transfer`, so every
 * reply is checked as it arrives and each deviation is told once, as a WARNING.
 */
import { ConnectError, ControlConnection } from '../wire/control-connection.ts';
import { openDataChannel, type DataMode } from '../wire/data-channel.ts';
import { describeOutcome, type Outcome } from '../wire/outcome.ts';
import { runTransfer, type TransferResult } from '../wire/transfer.ts';
import { Transcript, formatEntry } from '../wire/transcript.ts';
import { GREETING } from '../protocol/reply-codes.ts';
import type { Reply } from '../wire/reply-parser.ts';
import { check257, checkLeak, checkPassiveReply, checkReplyCode, checkReplySyntax, checkUnsolicited, type Warning } from './checks.ts';

export interface ShellOutput {
  /** A line for the user (command outcomes, listings, summaries). */
  line(text: string): void;
  /** Where a progress bar may draw: a terminal, or null for one summary line. */
  terminal: NodeJS.WriteStream | null;
}

export interface SessionSettings {
  timeoutMs: number;
  /** Print the wire (masked, escaped) after each command. */
  showTranscript: boolean;
  /** The target's own folders, never to be named in a reply. */
  serverPaths: readonly string[];
  /** Bytes per second for transfers (lftp's net:limit-rate); undefined: as fast as they go. */
  limitRate?: number;
}

export interface ShellTransfer extends TransferResult {
  /** The transfer command and its data channel both succeeded. */
  ok: boolean;
  /** Ctrl-C stopped it (ABOR sent). */
  aborted: boolean;
  /** Why it failed, in one line. */
  problem?: string;
}

/** A download is held in memory until it is written; this bounds it. */
const MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;
/** Transfers may take long; the data side is bounded by this, each reply by timeoutMs. */
const TRANSFER_TIMEOUT_MS = 60 * 60 * 1000;
/** How long the reply to ABOR may take after the transfer's own 426. */
const ABOR_REPLY_MS = 3000;

export class ShellSession {
  control: ControlConnection | null = null;
  /** FEAT's feature lines (RFC 2389 §3), trimmed; empty when FEAT was refused. */
  features: string[] = [];
  dataMode: DataMode;
  transferType: 'I' | 'A' | null = null;
  protectData = false;
  warnings = 0;
  /** Names in the current folder (for tab completion), null until read. */
  names: string[] | null = null;
  loggedInAs: string | null = null;
  private readonly transcript = new Transcript('shell', { maxEntries: 1_000_000 });
  private printed = 0;
  private readonly sentLines: string[] = [];
  private abortCurrent: (() => void) | null = null;

  constructor(
    readonly out: ShellOutput,
    readonly settings: SessionSettings,
    active: boolean,
  ) {
    this.dataMode = active ? 'port' : 'pasv';
  }

  warn(warning: Warning): void {
    this.warnings += 1;
    this.out.line(`WARNING: ${warning.text} — ${warning.basis}`);
  }

  private warnAll(warnings: Warning[]): void {
    for (const warning of warnings) this.warn(warning);
  }

  /** Prints the wire since the last call, when --transcript asked for it. */
  flushTranscript(): void {
    const entries = this.transcript.entries();
    if (this.settings.showTranscript) for (const entry of entries.slice(this.printed)) this.out.line(`  ${formatEntry(entry)}`);
    this.printed = entries.length;
  }

  connected(): ControlConnection {
    if (!this.control || this.control.isClosed()) throw new ShellCommandError(this.control ? `not connected (${this.control.closedReason()}); use open` : 'not connected; use open host:port');
    return this.control;
  }

  /** Connects and reads the greeting; with `tls`, AUTH TLS and the handshake too. */
  async open(host: string, port: number, tls: boolean): Promise<Reply> {
    await this.close();
    try {
      this.control = await ControlConnection.connect({ host, port, timeoutMs: this.settings.timeoutMs, transcript: this.transcript });
    } catch (error) {
      if (error instanceof ConnectError) throw new ShellCommandError(error.message);
      throw error;
    }
    this.features = [];
    this.names = null;
    this.loggedInAs = null;
    this.transferType = null;
    this.protectData = false;
    const greeting = await this.control.readReply();
    const reply = this.judge(GREETING, greeting, 'the greeting');
    if (!reply || reply.code !== 220) throw new ShellCommandError(`no 220 greeting: ${describeOutcome(greeting)}`);
    if (tls) {
      await this.expectReply('AUTH TLS', [234]); // RFC 4217 §4
      try {
        await this.control.upgradeToTls({ timeoutMs: this.settings.timeoutMs });
      } catch (error) {
        throw new ShellCommandError((error as Error).message);
      }
    }
    return reply;
  }

  /** USER and PASS, then FEAT, and PBSZ/PROT under TLS. */
  async login(name: string, password: string): Promise<Reply> {
    const control = this.connected();
    const user = await this.exchange(`USER ${name}`);
    let final = user;
    if (user.kind === 'reply' && user.reply.code === 331) final = await this.exchange(`PASS ${password}`);
    if (final.kind !== 'reply' || final.reply.code !== 230) throw new ShellCommandError(`login as ${name} refused: ${describeOutcome(final)}`);
    this.loggedInAs = name;
    const feat = await this.exchange('FEAT');
    this.features = feat.kind === 'reply' && feat.reply.code === 211 ? feat.reply.lines.slice(1, -1).map((text) => text.trim()).filter(Boolean) : [];
    if (control.isTls()) {
      await this.expectReply('PBSZ 0', [200]);
      await this.expectReply('PROT P', [200]);
      this.protectData = true;
    }
    return final.reply;
  }

  /** The FEAT line of a feature (`REST STREAM`, `HASH ...`), or undefined. */
  feature(name: string): string | undefined {
    const upper = name.toUpperCase();
    return this.features.find((line) => line.toUpperCase() === upper || line.toUpperCase().startsWith(`${upper} `));
  }

  /** Sends one line and checks the reply it gets. */
  async exchange(line: string, timeoutMs = this.settings.timeoutMs): Promise<Outcome> {
    const control = this.connected();
    this.sentLines.push(line);
    const outcome = await control.command(line, timeoutMs);
    this.judge(line, outcome, `the reply to ${line.split(' ')[0]?.toUpperCase()}`);
    await this.readUnsolicited(line);
    return outcome;
  }

  /** exchange, then the reply must have one of these codes or the command fails. */
  async expectReply(line: string, codes: number[]): Promise<Reply> {
    const outcome = await this.exchange(line);
    if (outcome.kind !== 'reply' || !codes.includes(outcome.reply.code)) throw new ShellCommandError(`${line.split(' ')[0]}: ${describeOutcome(outcome)}`);
    return outcome.reply;
  }

  /** Binary (TYPE I) unless already so: transfers and SIZE are in octets. */
  async ensureType(type: 'I' | 'A'): Promise<void> {
    if (this.transferType === type) return;
    await this.expectReply(`TYPE ${type}`, [200]);
    this.transferType = type;
  }

  /**
   * Opens a data channel, runs one transfer command over it, and checks every reply.
   * `abort()` (Ctrl-C) sends ABOR and drops the data connection.
   */
  async transfer(line: string, options: { upload?: Buffer; onProgress?: (bytes: number) => void } = {}): Promise<ShellTransfer> {
    const control = this.connected();
    const passiveVerb = this.dataMode === 'pasv' ? 'PASV' : this.dataMode === 'epsv' ? 'EPSV' : null;
    const opened = await openDataChannel(control, this.dataMode, {
      timeoutMs: this.settings.timeoutMs,
      tls: this.protectData,
      maxReceiveBytes: MAX_DOWNLOAD_BYTES,
      onProgress: options.onProgress,
      readBytesPerSecond: this.settings.limitRate,
    });
    const openLine = passiveVerb ?? this.dataMode.toUpperCase();
    this.sentLines.push(openLine);
    if ('error' in opened) {
      if (opened.outcome) this.judge(openLine, opened.outcome, `the reply to ${openLine}`);
      if (opened.outcome?.kind === 'reply' && passiveVerb) this.warnAll(checkPassiveReply(passiveVerb, opened.outcome.reply, peerOf(control)));
      return { ok: false, aborted: false, final: opened.outcome ?? { kind: 'closed', reason: opened.error }, problem: opened.error };
    }
    this.judge(openLine, { kind: 'reply', reply: opened.reply }, `the reply to ${openLine}`);
    if (passiveVerb) this.warnAll(checkPassiveReply(passiveVerb, opened.reply, peerOf(control)));

    this.sentLines.push(line);
    let aborted = false;
    this.abortCurrent = () => {
      if (aborted) return;
      aborted = true;
      void control.sendLine('ABOR');
      opened.channel.abort();
    };
    let result: TransferResult;
    try {
      result = await runTransfer(control, opened.channel, line, {
        upload: options.upload,
        timeoutMs: TRANSFER_TIMEOUT_MS,
        replyTimeoutMs: this.settings.timeoutMs,
        uploadBytesPerSecond: options.upload ? this.settings.limitRate : undefined,
      });
    } finally {
      this.abortCurrent = null;
    }
    const where = `the reply to ${line.split(' ')[0]?.toUpperCase()}`;
    if (result.preliminary) this.judge(line, { kind: 'reply', reply: result.preliminary }, where);
    this.judge(line, result.final, where);
    if (aborted) {
      // RFC 959 §4.1.3: the transfer's own reply (426), then ABOR's (226).
      const abor = await control.readReply(ABOR_REPLY_MS);
      if (abor.kind === 'reply') this.judge('ABOR', abor, 'the reply to ABOR');
    } else {
      await this.readUnsolicited(line);
    }
    const completed = result.final.kind === 'reply' && result.final.reply.code >= 200 && result.final.reply.code < 300;
    const ok = completed && result.dataError === undefined && !aborted;
    const problem = aborted
      ? 'aborted (ABOR sent)'
      : !completed
        ? describeOutcome(result.final)
        : result.dataError !== undefined
          ? `data connection: ${result.dataError}`
          : undefined;
    return { ...result, ok, aborted, ...(problem ? { problem } : {}) };
  }

  /** Ctrl-C: stops the running transfer; false when none runs. */
  abortTransfer(): boolean {
    if (!this.abortCurrent) return false;
    this.abortCurrent();
    return true;
  }

  transferRunning(): boolean {
    return this.abortCurrent !== null;
  }

  /** Checks text from the data connection for leaks: a listing for paths and host content, a downloaded file (`contentOnly`) for host content. */
  checkData(text: string, where: string, contentOnly = false): void {
    this.warnAll(checkLeak(text, where, this.settings.serverPaths, this.sentLines.join('\n'), contentOnly));
  }

  /** QUIT (when connected) and close. */
  async close(): Promise<void> {
    const control = this.control;
    if (!control) return;
    this.control = null;
    if (!control.isClosed()) {
      const outcome = await control.command('QUIT', Math.min(this.settings.timeoutMs, 2000));
      if (outcome.kind === 'reply') this.judgeReply('QUIT', outcome.reply, 'the reply to QUIT');
    }
    await control.close();
    this.flushTranscript();
  }

  /** Checks one outcome; the reply when there is one. */
  private judge(line: string, outcome: Outcome, where: string): Reply | null {
    if (outcome.kind !== 'reply') return null;
    this.judgeReply(line, outcome.reply, where);
    return outcome.reply;
  }

  private judgeReply(line: string, reply: Reply, where: string): void {
    this.warnAll(checkReplySyntax(reply));
    this.warnAll(checkReplyCode(line, reply));
    this.warnAll(check257(line, reply));
    this.warnAll(checkLeak(reply.raw, where, this.settings.serverPaths, this.sentLines.join('\n')));
  }

  /** A reply nobody asked for, already queued after this command's: a malformed multi-line reply, or one too many. */
  private async readUnsolicited(line: string): Promise<void> {
    const control = this.control;
    while (control && control.queuedReplies() > 0) {
      const extra = await control.readReply(1);
      if (extra.kind !== 'reply') return;
      this.warn(checkUnsolicited(line, extra.reply));
    }
  }
}

/** A command that could not be done, with the reason the user reads. */
export class ShellCommandError extends Error {}

function peerOf(control: ControlConnection): string {
  const address = control.remoteAddress;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
