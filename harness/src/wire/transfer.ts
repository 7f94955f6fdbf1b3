// Runs one transfer command over an open data channel, the way basic-ftp does: the
// transfer is complete only when BOTH the data connection is done and the final
// control reply has come, in whichever order they happen (RFC 959 lets a server
// send 226 before the client has read the last data byte, and vice versa).

import { performance } from 'node:perf_hooks';
import type { ControlConnection } from './control-connection.ts';
import type { DataChannel, SendOptions } from './data-channel.ts';
import type { Outcome } from './outcome.ts';
import { isCompletion, isPreliminary, type Reply } from './reply-parser.ts';

export interface TransferOptions {
  /** Bytes to upload (STOR, APPE, STOU); without it the command is a download. */
  upload?: Buffer;
  /** Upload only this many bytes, then act as `uploadAfterStop` says (default: reset). */
  uploadStopAfter?: number;
  uploadAfterStop?: SendOptions['afterStop'];
  /** Upload no faster than this many bytes per second (a slow client). */
  uploadBytesPerSecond?: number;
  /** Bounds the whole transfer: command, data and final reply. */
  timeoutMs: number;
  /**
   * Once the data connection is over (ended, failed or cut), the final reply must
   * come within this, however much of `timeoutMs` is left: a server that never
   * sends it holds the step for one reply's wait, not for a whole transfer's.
   */
  replyTimeoutMs?: number;
}

export interface TransferResult {
  /** The first 1xx reply (RFC 959 §4.2: 125 or 150), if any came. */
  preliminary?: Reply;
  /** The reply that ended the command, or why none came. */
  final: Outcome;
  /** Downloaded bytes, when the data connection ended cleanly. */
  data?: Buffer;
  /** What a download received before its data connection failed (a client resumes from there). */
  partial?: Buffer;
  /** Why the data side failed or never ran; absent when it succeeded. */
  dataError?: string;
  /** Bytes of an upload the kernel accepted. */
  sent?: number;
  /** Which side finished first, when both finished; tests of ordering read this. */
  order?: 'final-first' | 'data-first';
}

/** How long the data side may still run once the server has declared the transfer failed. */
const FAILED_TRANSFER_GRACE_MS = 1000;
/**
 * A data channel whose TLS waits for the 1xx (tlsStart 'after-preliminary') begins
 * it anyway after this long without one, as lftp does (ftp:waiting-150-timeout, 5 s):
 * a server that holds its 150 until the handshake is then served, and noted.
 */
const TLS_WITHOUT_PRELIMINARY_MS = 5000;
/** More 1xx replies than this in a row is a server looping, not a transfer. */
const MAX_PRELIMINARY = 10;

type DataSide = { data?: Buffer; partial?: Buffer; error?: string; sent?: number; doneAt: number };

export async function runTransfer(
  control: ControlConnection,
  channel: DataChannel,
  commandLine: string,
  options: TransferOptions,
): Promise<TransferResult> {
  const deadline = Date.now() + options.timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  const note = (text: string): void => control.transcript.note(text, control.channel);

  const startData = (): Promise<DataSide> => {
    if (options.upload) {
      const stopAfter = options.uploadStopAfter;
      const sendOptions: SendOptions = stopAfter === undefined ? {} : { stopAfter, afterStop: options.uploadAfterStop ?? 'reset' };
      if (options.uploadBytesPerSecond !== undefined) sendOptions.bytesPerSecond = options.uploadBytesPerSecond;
      return channel.sendAll(options.upload, left(), sendOptions).then((r) =>
        'error' in r ? { error: r.error, sent: r.sent ?? 0, doneAt: performance.now() } : { sent: r.sent, doneAt: performance.now() },
      );
    }
    return channel.receiveAll(left()).then((r) =>
      'error' in r ? { error: r.error, partial: r.partial, doneAt: performance.now() } : { data: r.data, doneAt: performance.now() },
    );
  };

  await control.sendLine(commandLine, left());
  // A download's bytes may come before the 150; the channel buffers them anyway, and
  // its clock must start now. An upload waits for the 150, as RFC 959 §5.4 orders.
  let dataSide: Promise<DataSide> | null = options.upload ? null : startData();

  const overdue = new AbortController();
  let overdueTimer: NodeJS.Timeout | undefined;
  let finalCame = false;
  const watchData = (side: Promise<DataSide>): void => {
    const wait = options.replyTimeoutMs;
    if (wait === undefined) return;
    void side.then(() => {
      if (finalCame) return;
      overdueTimer = setTimeout(() => overdue.abort(`the data connection was over ${wait} ms before and no final reply came`), wait);
    });
  };
  if (dataSide) watchData(dataSide);

  // A data channel that waits for the 1xx to begin TLS (lftp's timing) gets it here.
  const tlsFallback = setTimeout(() => {
    if (channel.startTls()) note(`no 1xx reply within ${TLS_WITHOUT_PRELIMINARY_MS} ms: TLS begun on the data connection anyway, as lftp does; a server should send its 1xx before it waits for the handshake`);
  }, Math.min(TLS_WITHOUT_PRELIMINARY_MS, left()));

  let preliminary: Reply | undefined;
  let final = await control.readReply(left(), overdue.signal);
  let count = 0;
  while (final.kind === 'reply' && isPreliminary(final.reply) && count < MAX_PRELIMINARY) {
    if (preliminary === undefined) {
      preliminary = final.reply;
      clearTimeout(tlsFallback);
      channel.startTls();
      if (dataSide === null) {
        dataSide = startData();
        watchData(dataSide);
      }
    } else {
      note(`another preliminary reply ${final.reply.code} during the transfer`);
    }
    count += 1;
    final = await control.readReply(left(), overdue.signal);
  }
  finalCame = true;
  clearTimeout(overdueTimer);
  clearTimeout(tlsFallback);
  const finalAt = performance.now();

  if (dataSide === null) {
    note('upload not started: no preliminary reply came');
    // The data connection was never used; a server may keep its end open, so it is dropped, not waited for.
    channel.abort();
    return { preliminary, final, dataError: 'upload not started: the server gave no preliminary reply', sent: 0 };
  }

  const succeeded = final.kind === 'reply' && isCompletion(final.reply);
  let side: DataSide;
  if (succeeded) {
    side = await dataSide;
  } else {
    // The server says it failed (or went away): whatever data still comes is moot.
    // After a 1xx the data side gets a moment to settle; without one, no transfer began.
    const grace = preliminary ? Math.min(FAILED_TRANSFER_GRACE_MS, left()) : 0;
    const timer = cancellableDelay(grace);
    const raced = await Promise.race([dataSide, timer.promise]);
    timer.cancel();
    if (raced === undefined) channel.abort();
    side = await dataSide;
    // Refused before any 1xx: the data connection was never used, and a server may keep its end open
    // (waiting for it to close would cost every refused transfer the whole grace time).
    if (!preliminary) channel.abort();
  }
  await channel.close();

  const result: TransferResult = { final };
  if (preliminary) result.preliminary = preliminary;
  if (side.data !== undefined) result.data = side.data;
  if (side.error !== undefined) result.dataError = side.error;
  if (side.partial !== undefined && side.partial.length > 0) result.partial = side.partial;
  if (side.sent !== undefined) result.sent = side.sent;
  if (side.error === undefined && final.kind === 'reply') {
    result.order = finalAt < side.doneAt ? 'final-first' : 'data-first';
  }
  return result;
}

function cancellableDelay(ms: number): { promise: Promise<undefined>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
