/**
 * `record start FILE` ... `record stop`: the session's commands as one case of
 * the spec language (docs/spec-language.md, "Recorded sessions"), so that
 * `ftp-check run --specs FILE` replays them against any server. Each command is
 * a step expecting the reply class it got; an upload becomes generated content
 * of the same size (`random: N`), remembered, and a later download of that name
 * must bring those bytes back.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { stringify } from 'yaml';

export type RecordedStep = Record<string, unknown>;

/** `expect: { class: 2 }` for a reply code. */
export function expectClassOf(code: number | undefined): { class: number } | undefined {
  return code === undefined || code < 100 || code > 599 ? undefined : { class: Math.floor(code / 100) };
}

export class Recorder {
  private file: string | null = null;
  private steps: RecordedStep[] = [];
  private startedAt = new Date();
  /** Remote path -> the name its uploaded content is remembered under. */
  private readonly uploads = new Map<string, string>();

  recording(): string | null {
    return this.file;
  }

  start(file: string): void {
    this.file = file;
    this.steps = [];
    this.uploads.clear();
    this.startedAt = new Date();
  }

  add(steps: readonly RecordedStep[]): void {
    if (this.file !== null) this.steps.push(...steps);
  }

  /** The name an upload to `remote` is remembered under (a new one for each upload). */
  rememberUpload(remote: string): string {
    const name = `upload${this.uploads.size + 1}`;
    this.uploads.set(remote, name);
    return name;
  }

  uploadOf(remote: string): string | undefined {
    return this.uploads.get(remote);
  }

  /** Writes the case; returns the file and the number of steps. */
  async stop(): Promise<{ file: string; steps: number }> {
    const file = this.file;
    if (file === null) throw new Error('not recording');
    const slug = basename(file).replace(/\.ya?ml$/i, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'session';
    const spec = {
      suite: 'recorded',
      description: `Recorded with ftp-check shell on ${this.startedAt.toISOString()}`,
      cases: [
        {
          id: `recorded.${slug}`,
          title: `Replay of the shell session recorded in ${basename(file)}`,
          severity: 'major',
          references: ['ftp-check shell recording (docs/spec-language.md, "Recorded sessions")'],
          warning: 'The server answered a command of the recorded session with a reply of another class than when it was recorded.',
          // The shell moves files in binary (TYPE I), so SIZE counts octets there too.
          steps: [{ login: 'user' }, { send: 'TYPE I', expect: { class: 2 } }, ...this.steps],
        },
      ],
    };
    await writeFile(file, `# ${spec.description}. Edit freely: see docs/spec-language.md.\n${stringify(spec, { lineWidth: 0 })}`);
    this.file = null;
    return { file, steps: this.steps.length };
  }
}
