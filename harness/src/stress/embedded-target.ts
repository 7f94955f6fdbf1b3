/**
 * The default stress target: an ftp-ref in this process, on a free loopback port,
 * like `run`'s embedded target but with limits sized for load (the conformance
 * target's small limits exist to be reached by the limit cases; here they would
 * only turn a 50-client run into 421s).
 */
import { startEmbeddedTarget, type EmbeddedTarget } from '../target/embedded.ts';

export const STRESS_LIMITS = { maxConnections: 5000, maxPerUser: 5000, idleTimeoutSeconds: 60, dataTimeoutSeconds: 20 };

export function startStressTarget(options: { tls?: boolean } = {}): Promise<EmbeddedTarget> {
  return startEmbeddedTarget({ ...options, limits: STRESS_LIMITS });
}
