/**
 * Downloads that stream: the bytes go through a Digester as they arrive and are
 * never held, so a 512 MiB file costs no memory and no copy. The wire layer's
 * DataChannel buffers a whole transfer (right for conformance cases, which look at
 * the bytes); here only the digest matters. Passive modes only (PASV, EPSV), plain
 * or TLS; like wire/transfer.ts, a transfer ends when both the data connection and
 * the final reply are done, in either order.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ControlConnection } from '../wire/control-connection.ts';
import { describeSocketError } from '../wire/control-connection.ts';
import { connectBounded, parseEpsvReply, parsePasvReply } from '../wire/data-channel.ts';
import { describeOutcome, type Outcome } from '../wire/outcome.ts';
import { isCompletion, isPreliminary } from '../wire/reply-parser.ts';

/** Where downloaded bytes go. A chunk may be a reused buffer: copy what you keep. */
export interface ByteSink {
  update(chunk: Buffer): void;
}

export type PassiveMode = 'pasv' | 'epsv';

export interface StreamDownloadResult {
  /** The reply that ended the command (or why none came); absent when the channel never opened. */
  final?: Outcome;
  /** The reply to PASV/EPSV when it was not the expected one. */
  openFailure?: Outcome;
  /** Why the data side failed; absent when it ended cleanly. */
  dataError?: string;
  bytes: number;
}

const MAX_PRELIMINARY = 10;
const FAILED_TRANSFER_GRACE_MS = 500;

function unmapIpv4(host: string): string {
  return host.toLowerCase().startsWith('::ffff:') && net.isIPv4(host.slice(7)) ? host.slice(7) : host;
}

/** Bytes read per system call into one reused buffer (Node's `onread`): no allocation per chunk. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Connects; with `onChunk`, every read lands in one reused buffer and is handed over
 * at once (it is overwritten by the next read). That doubles what one core can take
 * in on loopback, compared with a fresh Buffer per 'data' event.
 */
function connectStreaming(host: string, port: number, timeoutMs: number, onChunk?: (chunk: Buffer) => void): Promise<net.Socket | string> {
  if (!onChunk) return connectBounded(host, port, timeoutMs);
  // One reused read buffer: a download is checked chunk by chunk and never held whole.
  const socket = net.connect({
    host,
    port,
    onread: {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (length: number, buffer: Uint8Array) => {
        onChunk((buffer as Buffer).subarray(0, length));
        return true;
      },
    },
  });
  return connectBounded(host, port, timeoutMs, socket);
}

/**
 * Sends `commandLine` (RETR, LIST...) over a fresh passive data connection and feeds
 * every byte to `sink`. Past `maxBytes` the data connection is dropped and reported.
 * Never throws for anything the server does.
 */
export async function streamDownload(
  control: ControlConnection,
  mode: PassiveMode,
  commandLine: string,
  sink: ByteSink,
  options: { timeoutMs: number; replyTimeoutMs: number; tls: boolean; maxBytes: number },
): Promise<StreamDownloadResult> {
  const deadline = Date.now() + options.timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  const verb = mode === 'pasv' ? 'PASV' : 'EPSV';
  const opened = await control.command(verb, Math.min(options.replyTimeoutMs, left()));
  if (opened.kind !== 'reply' || opened.reply.code !== (mode === 'pasv' ? 227 : 229)) return { openFailure: opened, bytes: 0 };
  const peer = unmapIpv4(control.remoteAddress);
  const address = mode === 'pasv' ? parsePasvReply(opened.reply.message) : parseEpsvReply(opened.reply.message);
  if (!address) return { openFailure: opened, dataError: `cannot read an address in ${describeOutcome(opened)}`, bytes: 0 };
  let bytes = 0;
  let dataError: string | undefined;
  let socket: net.Socket | null = null;
  let settleData: () => void = () => {};
  const dataDone = new Promise<void>((resolve) => {
    settleData = resolve;
  });
  let ended = false;
  const fail = (reason: string): void => {
    if (ended) return; // a clean end of data, or our own destroy afterwards
    ended = true;
    dataError = reason;
    settleData();
  };
  const take = (chunk: Buffer): void => {
    if (ended) return;
    bytes += chunk.length;
    if (bytes > options.maxBytes) {
      fail(`more than ${options.maxBytes} bytes received; data connection dropped`);
      socket?.destroy();
      return;
    }
    sink.update(chunk);
  };
  // Like curl's --ftp-skip-pasv-ip: the control peer, whatever the 227 says (NAT, 0.0.0.0).
  const tcp = await connectStreaming(peer, address.port, left(), options.tls ? undefined : take);
  if (typeof tcp === 'string') return { dataError: `cannot connect to the passive port ${peer}:${address.port}: ${tcp}`, bytes: 0 };

  let data: net.Socket = tcp;
  if (options.tls) {
    const reuse = control.tlsSessionForData();
    if (!reuse) {
      tcp.destroy();
      return { dataError: 'a TLS data connection needs TLS on the control connection', bytes: 0 };
    }
    data = tls.connect({ socket: tcp, session: reuse.session, servername: reuse.servername, rejectUnauthorized: reuse.rejectUnauthorized });
  }
  socket = data;

  if (options.tls) data.on('data', take);
  data.on('end', () => {
    ended = true;
    settleData();
  });
  data.on('error', (err: NodeJS.ErrnoException) => fail(describeSocketError(err)));
  data.on('close', () => fail('data connection closed before the end of data'));
  if (data !== tcp) tcp.on('error', () => {});

  await control.sendLine(commandLine, left());
  let final = await control.readReply(left());
  for (let count = 0; final.kind === 'reply' && isPreliminary(final.reply) && count < MAX_PRELIMINARY; count++) {
    final = await control.readReply(left());
  }
  const succeeded = final.kind === 'reply' && isCompletion(final.reply);
  const waitData = succeeded ? left() : Math.min(FAILED_TRANSFER_GRACE_MS, left());
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    dataDone.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), waitData);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && succeeded) fail(`data connection not finished within the transfer time (${bytes} bytes received)`);
  ended = true;
  if (!data.destroyed) data.destroy();
  if (!tcp.destroyed) tcp.destroy();
  // After a failure reply the data side is moot: the reply is the error to report.
  return { final, bytes, ...(dataError !== undefined && succeeded ? { dataError } : {}) };
}
