/**
 * TYPE A line-ending conversion (RFC 959 §3.1.1.1): files are stored with LF,
 * sent with CRLF. Both directions carry state across chunk boundaries.
 */
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;

/** Outgoing: a bare LF becomes CRLF; an existing CRLF is left alone. */
export class LfToCrlf extends Transform {
  private previous = -1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === LF && this.previous !== CR) out.push(CR);
      out.push(byte);
      this.previous = byte;
    }
    done(null, Buffer.from(out));
  }
}

/** Incoming: CRLF becomes LF; a CR not followed by LF is kept. */
export class CrlfToLf extends Transform {
  private pendingCr = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte !== LF) out.push(CR);
      }
      if (byte === CR) this.pendingCr = true;
      else out.push(byte);
    }
    done(null, Buffer.from(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pendingCr ? Buffer.from([CR]) : undefined);
  }
}
