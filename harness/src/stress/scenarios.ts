/**
 * The built-in scenarios. Two shapes:
 *  - `session`: one iteration is one whole session (connect, login, churn);
 *  - `operation`: a client keeps a logged-in session and one iteration is one
 *    operation on it (list, download, upload, mixed); a session that breaks is
 *    opened again (and measured again) by the next iteration.
 * Writing scenarios work in a folder of their own per client, removed afterwards,
 * so clients never step on each other and the target is left as it was found.
 */
import { randomInt } from 'node:crypto';
import type { Account, TargetProfile } from '../target/profile.ts';
import { TargetError } from '../target/profile.ts';
import { removeScratch } from '../engine/scratch.ts';
import type { BuiltInScenario, StressOptions } from './options.ts';
import { ContentFactory, digestOf, type Digest, type Expected } from './integrity.ts';
import { StressFailure, StressSession, type OpRecorder, type SessionSettings } from './session.ts';

export interface Worker {
  /** Global client number (unique across shards). */
  readonly id: number;
  readonly account: Account | null;
  session: StressSession | null;
  seq: number;
  /** This client's folder, relative to where it logs in; made on first use. */
  folder: string | null;
  /** Files this client uploaded and still holds, with what they must contain. */
  files: { name: string; digest: Digest }[];
  dirs: string[];
}

export function newWorker(id: number, account: Account | null): Worker {
  return { id, account, session: null, seq: 0, folder: null, files: [], dirs: [] };
}

export interface ScenarioEnv {
  runId: string;
  options: StressOptions;
  profile: TargetProfile;
  settings: SessionSettings;
  accounts: Account[];
  /** Lines for the operator (setup and cleanup notes). */
  note(text: string): void;
}

export interface Scenario {
  readonly name: string;
  readonly shape: 'session' | 'operation';
  readonly needsAccount: boolean;
  /** Uploads, makes folders: needs an account that may write. */
  readonly writes: boolean;
  /** Before the load (not measured): seed files. A failure is a TargetError. */
  setup(env: ScenarioEnv): Promise<void>;
  /** One iteration; throws StressFailure (already recorded) when an operation fails. */
  iterate(worker: Worker, recorder: OpRecorder): Promise<void>;
  /** A client is done: QUIT its session (not measured). */
  release(worker: Worker): Promise<void>;
  /** After the load: remove what the run made. Never throws. */
  teardown(env: ScenarioEnv, workers: readonly Worker[]): Promise<void>;
}

/** Setup and cleanup sessions report nowhere: their failures are thrown, not measured. */
export const UNMEASURED: OpRecorder = { success() {}, sessionOpened() {}, failure() {}, bytes() {}, verified() {} };

/** What the mixed scenario does, by weight. */
export const MIXED_WEIGHTS = { list: 25, cd: 10, mkdir: 10, put: 20, get: 20, rename: 10, delete: 5 } as const;
type MixedOp = keyof typeof MIXED_WEIGHTS;
const MAX_FILES = 6;
const MAX_DIRS = 4;
/** A --remote-file up to this size is held in memory and compared byte for byte. */
const REFERENCE_MAX = 1024 * 1024 * 1024;
/** Upload names cycle through this many, so a long run does not fill the disk. */
const UPLOAD_SLOTS = 4;

export function pickWeighted<K extends string>(weights: Record<K, number>, roll: number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let at = roll * total;
  for (const [name, weight] of entries) {
    if (at < weight) return name;
    at -= weight;
  }
  return (entries[entries.length - 1] as [K, number])[0];
}

abstract class BaseScenario implements Scenario {
  abstract readonly name: string;
  abstract readonly shape: 'session' | 'operation';
  readonly needsAccount: boolean = true;
  readonly writes: boolean = false;
  protected env!: ScenarioEnv;
  protected content!: ContentFactory;

  async setup(env: ScenarioEnv): Promise<void> {
    this.env = env;
    this.content = new ContentFactory(env.options.fileSize, env.options.digest, env.runId);
  }

  abstract iterate(worker: Worker, recorder: OpRecorder): Promise<void>;

  async release(worker: Worker): Promise<void> {
    const session = worker.session;
    worker.session = null;
    if (session) await session.release().catch(() => {});
  }

  async teardown(env: ScenarioEnv, workers: readonly Worker[]): Promise<void> {
    const byAccount = new Map<string, { account: Account; folders: string[] }>();
    for (const worker of workers) {
      if (!worker.folder || !worker.account) continue;
      const entry = byAccount.get(worker.account.name) ?? { account: worker.account, folders: [] };
      entry.folders.push(worker.folder);
      byAccount.set(worker.account.name, entry);
    }
    for (const { account, folders } of byAccount.values()) {
      await removeScratch(env.profile, account, folders, env.options.timeoutMs, env.note);
    }
  }

  protected label(worker: Worker): string {
    return `c${worker.id}`;
  }

  /** The client's session, logged in and in its folder when the scenario writes. Opens it if needed. */
  protected async session(worker: Worker, recorder: OpRecorder): Promise<StressSession> {
    if (worker.session && !worker.session.isClosed()) {
      worker.session.recorder = recorder;
      return worker.session;
    }
    worker.session = null;
    const session = await StressSession.open(this.env.settings, recorder, this.label(worker));
    try {
      if (worker.account) await session.login(worker.account);
      // Image type: in ASCII (the default, RFC 959 §3.1.1.1) a server may rewrite line ends.
      await session.command('TYPE I', [200]);
      if (this.writes) {
        const folder = worker.folder ?? `ftpcs-${this.env.runId}-c${worker.id}`;
        if (worker.folder === null) {
          await session.command(`MKD ${folder}`, [257]);
          worker.folder = folder;
        }
        await session.command(`CWD ${folder}`, [250]);
      }
    } catch (error) {
      session.drop();
      throw error;
    }
    worker.session = session;
    return session;
  }

  protected nextName(worker: Worker, prefix: string): string {
    worker.seq += 1;
    return `${prefix}${worker.seq}`;
  }

  /** Uploads fresh content; reads it back for a sample of uploads (--verify-sample). */
  protected async put(worker: Worker, session: StressSession, name: string): Promise<Digest> {
    const { content, digest } = this.content.make(worker.id, worker.seq);
    await session.upload(name, content);
    if (Math.random() < this.env.options.verifySample) await session.download(name, { digest, content }, 'readback');
    return digest;
  }
}

class ConnectScenario extends BaseScenario {
  readonly name = 'connect';
  readonly shape = 'session';
  override readonly needsAccount = false;
  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await StressSession.open(this.env.settings, recorder, this.label(worker));
    await session.quit();
  }
}

class LoginScenario extends BaseScenario {
  readonly name = 'login';
  readonly shape = 'session';
  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await StressSession.open(this.env.settings, recorder, this.label(worker));
    await session.login(worker.account as Account);
    await session.quit();
  }
}

/** Sessions that go away without QUIT: the server must notice and free their slots. */
class ChurnScenario extends BaseScenario {
  readonly name = 'churn';
  readonly shape = 'session';
  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await StressSession.open(this.env.settings, recorder, this.label(worker));
    await session.login(worker.account as Account);
    await session.command('PWD', [257]);
    session.drop();
  }
}

class ListScenario extends BaseScenario {
  readonly name = 'list';
  readonly shape = 'operation';
  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await this.session(worker, recorder);
    await session.list('');
  }
}

/** Every client reads the same file, seeded by the run (or --remote-file), checked byte for byte (or by digest). */
class DownloadScenario extends BaseScenario {
  readonly name = 'download';
  readonly shape = 'operation';
  /** Per account (each has its own home): the path and what it must hold. */
  private readonly seeded = new Map<string, { path: string; expected: Expected; ours: boolean }>();

  override async setup(env: ScenarioEnv): Promise<void> {
    await super.setup(env);
    for (const account of env.accounts) {
      const session = await StressSession.open(env.settings, UNMEASURED, 'setup').catch(setupError('connect for the setup'));
      try {
        await session.login(account).catch(setupError(`log in as ${account.name}`));
        await session.command('TYPE I', [200]).catch(setupError('set TYPE I'));
        if (env.options.remoteFile !== undefined) {
          const path = env.options.remoteFile;
          let expected = await this.reference(session, path, account.name);
          // Accounts whose homes hold the same file share one copy of its bytes.
          const same = [...this.seeded.values()].find((seed) => seed.expected.digest.hex === expected.digest.hex && seed.expected.content);
          if (same && expected.content) expected = same.expected;
          this.seeded.set(account.name, { path, expected, ours: false });
        } else {
          const path = `ftpcs-${env.runId}-seed.bin`;
          const { content, digest } = this.content.make(-1, 0);
          await session.upload(path, content).catch(setupError(`upload the seed file ${path} as ${account.name}`));
          this.seeded.set(account.name, { path, expected: { digest, content }, ours: true });
        }
      } finally {
        await session.release();
      }
    }
  }

  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await this.session(worker, recorder);
    const seed = this.seeded.get((worker.account as Account).name);
    if (!seed) throw new Error(`download: no seeded file for ${worker.account?.name}`);
    await session.download(seed.path, seed.expected);
  }

  /**
   * What --remote-file must hold. Up to REFERENCE_MAX bytes it is read once into
   * memory and every later download is compared byte for byte (the fastest check
   * there is); larger, downloads are held to its digest (--remote-digest, or the
   * digest of a first read).
   */
  private async reference(session: StressSession, path: string, accountName: string): Promise<Expected> {
    const given = this.env.options.remoteDigest;
    const size = await session.command(`SIZE ${path}`, [213]).then((reply) => Number(reply.message.trim()), () => NaN);
    if (Number.isInteger(size) && size <= REFERENCE_MAX) {
      const content = await session.fetch(path, size + 1).catch(setupError(`read ${path} as ${accountName}`));
      const digest = digestOf(content, given?.algorithm ?? this.env.options.digest);
      if (given && given.hex !== digest.hex) throw new TargetError(`--remote-file ${path}: its ${given.algorithm} is ${digest.hex}, not ${given.hex} as --remote-digest says`);
      this.env.note(`${path} (${accountName}): ${content.length} bytes held in memory; every download is compared byte for byte`);
      return { digest, content };
    }
    if (given) return { digest: { ...given, length: Number.isInteger(size) ? size : null } };
    const digest = await session.download(path, null).catch(setupError(`read ${path} as ${accountName}`));
    this.env.note(`${path} (${accountName}): ${digest.length} bytes, ${digest.algorithm} ${digest.hex}: every download must match`);
    return { digest };
  }

  override async teardown(env: ScenarioEnv, workers: readonly Worker[]): Promise<void> {
    await super.teardown(env, workers);
    for (const account of env.accounts) {
      const seed = this.seeded.get(account.name);
      if (!seed?.ours) continue;
      try {
        const session = await StressSession.open(env.settings, UNMEASURED, 'cleanup');
        await session.login(account).then(() => session.command(`DELE ${seed.path}`, [250])).catch(() => env.note(`cleanup: could not delete ${seed.path} as ${account.name}`));
        await session.release();
      } catch {
        env.note(`cleanup: could not reach the target to delete ${seed.path}`);
      }
    }
  }
}

class UploadScenario extends BaseScenario {
  readonly name = 'upload';
  readonly shape = 'operation';
  override readonly writes = true;
  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await this.session(worker, recorder);
    worker.seq += 1;
    await this.put(worker, session, `u${worker.seq % UPLOAD_SLOTS}`);
  }
}

/** A weighted mix of what users do: list, cd, mkdir, put, get, rename, delete. */
class MixedScenario extends BaseScenario {
  readonly name = 'mixed';
  readonly shape = 'operation';
  override readonly writes = true;

  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const session = await this.session(worker, recorder);
    let op: MixedOp = pickWeighted(MIXED_WEIGHTS, Math.random());
    if ((op === 'get' || op === 'rename' || op === 'delete') && worker.files.length === 0) op = 'put';
    switch (op) {
      case 'list':
        await session.list('');
        return;
      case 'cd':
        await session.command('CWD ..', [250]);
        await session.command(`CWD ${worker.folder}`, [250]);
        return;
      case 'mkdir': {
        const name = this.nextName(worker, 'd');
        await session.command(`MKD ${name}`, [257]);
        worker.dirs.push(name);
        if (worker.dirs.length > MAX_DIRS) await session.command(`RMD ${worker.dirs.shift()}`, [250]);
        return;
      }
      case 'put': {
        const name = this.nextName(worker, 'f');
        const digest = await this.put(worker, session, name);
        worker.files.push({ name, digest });
        if (worker.files.length > MAX_FILES) {
          const oldest = worker.files.shift() as { name: string };
          await session.command(`DELE ${oldest.name}`, [250]);
        }
        return;
      }
      case 'get': {
        const file = worker.files[randomInt(worker.files.length)] as { name: string; digest: Digest };
        await session.download(file.name, { digest: file.digest });
        return;
      }
      case 'rename': {
        const index = randomInt(worker.files.length);
        const file = worker.files[index] as { name: string; digest: Digest };
        const to = this.nextName(worker, 'r');
        await session.command(`RNFR ${file.name}`, [350]);
        await session.command(`RNTO ${to}`, [250]);
        worker.files[index] = { name: to, digest: file.digest };
        return;
      }
      case 'delete': {
        const [file] = worker.files.splice(randomInt(worker.files.length), 1);
        await session.command(`DELE ${(file as { name: string }).name}`, [250]);
        return;
      }
    }
  }
}

function setupError(what: string): (error: unknown) => never {
  return (error: unknown) => {
    const reason = error instanceof StressFailure ? error.message : String(error);
    throw new TargetError(`stress setup: cannot ${what}: ${reason}`);
  };
}

export function builtInScenario(name: BuiltInScenario): Scenario {
  switch (name) {
    case 'connect': return new ConnectScenario();
    case 'login': return new LoginScenario();
    case 'churn': return new ChurnScenario();
    case 'list': return new ListScenario();
    case 'download': return new DownloadScenario();
    case 'upload': return new UploadScenario();
    case 'mixed': return new MixedScenario();
  }
}
