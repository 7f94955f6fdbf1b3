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
import { parseEpsvReply, parsePasvReply } from '../wire/data-channel.ts';
import { describeOutcome, type Outcome } from '../wire/outcome.ts';
import { isCompletion, isPreliminary } from '../wire/reply-parser.ts';
import type { Digester } from './integrity.ts';

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

function connectBounded(host: string, port: number, timeoutMs: number): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (result: net.Socket | string): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (typeof result === 'string') {
        socket.on('error', () => {});
        socket.destroy();
      }
      resolve(result);
    };
    const onConnect = (): void => finish(socket);
    const onError = (err: NodeJS.ErrnoException): void => finish(describeSocketError(err));
    const timer = setTimeout(() => finish(`no connection within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
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
  sink: Digester,
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
  // Like curl's --ftp-skip-pasv-ip: the control peer, whatever the 227 says (NAT, 0.0.0.0).
  const tcp = await connectBounded(peer, address.port, left());
  if (typeof tcp === 'string') return { dataError: `cannot connect to the passive port ${peer}:${address.port}: ${tcp}`, bytes: 0 };

  let socket: net.Socket = tcp;
  if (options.tls) {
    const reuse = control.tlsSessionForData();
    if (!reuse) {
      tcp.destroy();
      return { dataError: 'a TLS data connection needs TLS on the control connection', bytes: 0 };
    }
    socket = tls.connect({ socket: tcp, session: reuse.session, servername: reuse.servername, rejectUnauthorized: reuse.rejectUnauthorized });
  }

  let bytes = 0;
  let dataError: string | undefined;
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
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > options.maxBytes) {
      fail(`more than ${options.maxBytes} bytes received; data connection dropped`);
      socket.destroy();
      return;
    }
    sink.update(chunk);
  });
  socket.on('end', () => {
    ended = true;
    settleData();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => fail(describeSocketError(err)));
  socket.on('close', () => fail('data connection closed before the end of data'));
  if (socket !== tcp) tcp.on('error', () => {});

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
  if (!socket.destroyed) socket.destroy();
  if (!tcp.destroyed) tcp.destroy();
  // After a failure reply the data side is moot: the reply is the error to report.
  return { final, bytes, ...(dataError !== undefined && succeeded ? { dataError } : {}) };
}
