/**
 * How one deliberate fault changes ftp-ref: the settings it starts with (a
 * limit it does not enforce), or one of the parts it is built from
 * (src/server-parts.ts): a handler in the command table replaced, a session
 * that misreads lines, a jail that maps paths naively. Faults compose: each
 * takes the parts the faults before it made.
 */
import type { Settings } from '../src/config.ts';
import type { ServerParts } from '../src/server-parts.ts';

/** The running server, for a fault that takes it down as an uncaught exception takes down a process. */
export interface ServerHandle {
  crash(): void;
}

export interface FaultPart {
  settings?(settings: Settings): Settings;
  parts?(parts: ServerParts, server: ServerHandle): ServerParts;
}
