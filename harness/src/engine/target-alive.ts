/**
 * Is the target still there? A fresh connection that gets any reply (a 220,
 * or a 421 from a full server) within the wait says yes. Used after a case
 * that did not pass, to tell "this case found a fault" from "the target died".
 */
import { ControlConnection } from '../wire/control-connection.ts';
import { Transcript } from '../wire/transcript.ts';

export async function targetAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  let control: ControlConnection | undefined;
  try {
    control = await ControlConnection.connect({ host, port, timeoutMs, transcript: new Transcript('alive'), label: 'alive' });
    const greeting = await control.readReply(timeoutMs);
    return greeting.kind === 'reply';
  } catch {
    return false;
  } finally {
    await control?.close();
  }
}

/** Asks a few times over a few seconds: a server busy closing sessions, or restarting a worker, gets its chance. */
export async function targetStillAnswers(host: string, port: number, timeoutMs: number, pausesMs: readonly number[] = [0, 1000, 2000]): Promise<boolean> {
  for (const pause of pausesMs) {
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    if (await targetAnswers(host, port, timeoutMs)) return true;
  }
  return false;
}
