/**
 * What the interop tests share: the local files of the file-manager scenario
 * (every byte value; 10 MiB of random bytes), a server with a public file,
 * a bounded child-process runner, and checks on the server's disk.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startTempServer, type TempServer } from '../src/temp-server.ts';

export const MODES = ['passive', 'active'] as const;
export type Mode = (typeof MODES)[number];

export const ALICE = { user: 'alice', password: 'alice-pw' };
/** A file already in alice's home, for the first listing. */
export const HELLO = { name: 'hello.txt', content: Buffer.from('hi') };
export const PUBLIC_FILE = { name: 'readme.txt', content: Buffer.from('Read me, anonymous.\r\nSecond line\n\x00\xff') };

export interface LocalFiles {
  dir: string;
  /** 256 bytes, each value once. */
  all256: string;
  /** 10 MiB and a few bytes of random data. */
  big: string;
  sha: { all256: string; big: string };
  /** A fresh path in the local folder, for a download. */
  fresh(name: string): string;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  return sha256(await readFile(path));
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export interface InteropFixture {
  server: TempServer;
  /** alice's home on the server's disk. */
  home: string;
  local: LocalFiles;
  cleanup(): Promise<void>;
}

export async function startInteropFixture(): Promise<InteropFixture> {
  const server = await startTempServer();
  await writeFile(join(server.dataDir, 'public', PUBLIC_FILE.name), PUBLIC_FILE.content);
  const home = join(server.dataDir, 'storage', 'alice');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, HELLO.name), HELLO.content);
  const dir = await mkdtemp(join(tmpdir(), 'ftp-ref-interop-'));
  const all256Bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const bigBytes = randomBytes(10 * 1024 * 1024 + 13);
  const all256 = join(dir, 'all256.bin');
  const big = join(dir, 'big.bin');
  await writeFile(all256, all256Bytes);
  await writeFile(big, bigBytes);
  let counter = 0;
  const local: LocalFiles = {
    dir,
    all256,
    big,
    sha: { all256: sha256(all256Bytes), big: sha256(bigBytes) },
    fresh: (name) => join(dir, `${++counter}-${name}`),
  };
  return {
    server,
    home,
    local,
    async cleanup() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with a hard time limit; never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish in ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Fails with everything the program said unless it exited 0. */
export function assertRanOk(result: RunResult, what: string): void {
  assert.equal(result.code, 0, `${what} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** The server-side checks of the scenario, on alice's home. */
export async function assertUploaded(fixture: InteropFixture, remoteDir: string, names: { all256: string; big: string }): Promise<void> {
  assert.equal(await sha256File(join(fixture.home, remoteDir, names.all256)), fixture.local.sha.all256, 'the 256-byte file on the server');
  assert.equal(await sha256File(join(fixture.home, remoteDir, names.big)), fixture.local.sha.big, 'the 10 MiB file on the server');
}
