/**
 * What every transferred byte is held to. A Digest is (algorithm, hex, length);
 * a Digester takes bytes as they arrive, so a download is checked while it streams
 * and never held in memory. CRC-32 is the default: it catches corruption (not
 * tampering) at several GB/s, where SHA-256 would make the load generator the
 * bottleneck on a fast link; --digest sha256 is there for those who want it.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import zlib from 'node:zlib';

export const DIGEST_ALGORITHMS = ['crc32', 'sha1', 'sha256', 'md5'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

export interface Digest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** Bytes; null when only the hash is known (a --remote-digest). */
  length: number | null;
}

export interface Digester {
  update(chunk: Buffer): void;
  /** Bytes seen so far. */
  readonly length: number;
  digest(): Digest;
}

// zlib.crc32 came in Node 20.15 / 22.2; package.json asks for 20.19, so it is there.
const crc32 = (zlib as unknown as { crc32(data: Buffer, value?: number): number }).crc32;

export function createDigester(algorithm: DigestAlgorithm): Digester {
  let length = 0;
  if (algorithm === 'crc32') {
    let value = 0;
    return {
      update(chunk) {
        value = crc32(chunk, value);
        length += chunk.length;
      },
      get length() {
        return length;
      },
      digest: () => ({ algorithm, hex: (value >>> 0).toString(16).padStart(8, '0'), length }),
    };
  }
  const hash: Hash = createHash(algorithm);
  return {
    update(chunk) {
      hash.update(chunk);
      length += chunk.length;
    },
    get length() {
      return length;
    },
    digest: () => ({ algorithm, hex: hash.digest('hex'), length }),
  };
}

export function digestOf(bytes: Buffer, algorithm: DigestAlgorithm): Digest {
  const digester = createDigester(algorithm);
  digester.update(bytes);
  return digester.digest();
}

/** Null when `actual` matches `expected`; else what differs, in words for a report. */
export function compareDigest(expected: Digest, actual: Digest): string | null {
  if (expected.length !== null && expected.length !== actual.length) {
    return `expected ${expected.length} bytes, got ${actual.length}`;
  }
  if (expected.algorithm !== actual.algorithm) throw new Error(`compareDigest: ${expected.algorithm} against ${actual.algorithm}`);
  if (expected.hex !== actual.hex) return `${expected.algorithm} ${actual.hex} where ${expected.hex} was expected (${actual.length} bytes): the content is corrupt`;
  return null;
}

/** What a download must carry: always a digest; the bytes themselves when the run holds them. */
export interface Expected {
  digest: Digest;
  content?: Buffer;
}

/** Checks a transfer as it streams; `verdict` is null when every byte was as expected. */
export interface Check {
  update(chunk: Buffer): void;
  verdict(): string | null;
}

/**
 * Byte-for-byte comparison with the expected content (memcmp speed, and it names
 * the first byte that differs); chunks may be reused buffers, nothing is kept.
 */
class ContentCheck implements Check {
  private offset = 0;
  private firstDifference: number | null = null;
  constructor(private readonly content: Buffer) {}

  update(chunk: Buffer): void {
    if (this.firstDifference === null) {
      const expected = this.content.subarray(this.offset, this.offset + chunk.length);
      if (expected.length !== chunk.length || !chunk.equals(expected)) {
        let i = 0;
        while (i < expected.length && chunk[i] === expected[i]) i += 1;
        this.firstDifference = this.offset + i;
      }
    }
    this.offset += chunk.length;
  }

  verdict(): string | null {
    if (this.firstDifference !== null && this.firstDifference < this.content.length) {
      return `byte ${this.firstDifference} differs from what was expected (${this.offset} bytes received, ${this.content.length} expected): the content is corrupt`;
    }
    if (this.offset !== this.content.length) return `expected ${this.content.length} bytes, got ${this.offset}`;
    return null;
  }
}

class DigestCheck implements Check {
  private readonly digester: Digester;
  constructor(private readonly expected: Digest) {
    this.digester = createDigester(expected.algorithm);
  }
  update(chunk: Buffer): void {
    this.digester.update(chunk);
  }
  verdict(): string | null {
    return compareDigest(this.expected, this.digester.digest());
  }
}

export function checkAgainst(expected: Expected): Check {
  return expected.content ? new ContentCheck(expected.content) : new DigestCheck(expected.digest);
}

/**
 * Content for uploads: random bytes (incompressible, so no link or disk compresses
 * them away) with a 32-byte tag in front naming the run, client and sequence, so a
 * file served in place of another one never matches by chance.
 */
export class ContentFactory {
  private readonly body: Buffer;
  constructor(
    readonly size: number,
    readonly algorithm: DigestAlgorithm,
    private readonly runId: string,
  ) {
    this.body = randomBytes(size);
  }

  /** The content of upload `seq` of `client`, and its digest. */
  make(client: number, seq: number): { content: Buffer; digest: Digest } {
    const content = Buffer.from(this.body);
    const tag = Buffer.from(`${this.runId}:${client}:${seq}:`.padEnd(32, '.').slice(0, 32), 'latin1');
    tag.copy(content, 0, 0, Math.min(tag.length, content.length));
    return { content, digest: digestOf(content, this.algorithm) };
  }
}
