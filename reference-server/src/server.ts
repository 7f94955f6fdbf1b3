/**
 * The listening server: accepts control connections, enforces the connection
 * limits (421 and close, everyone else keeps being served), and shuts down
 * gracefully: stop accepting, let transfers finish up to a deadline, close.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdir, rm } from 'node:fs/promises';
import { dataLayout, parsePortRange, type Settings } from './config.ts';
import { removeEmptyHomesWithoutAccount } from './accounts/abandoned-homes.ts';
import { openLogs, type Logs } from './logs.ts';
import { QuotaBook } from './quota.ts';
import type { Session } from './session.ts';
import { SERVER_PARTS, type ServerParts } from './server-parts.ts';
import { formatReply, Reply } from './protocol/replies.ts';
import { normalizeAddress } from './data/data-connections.ts';
import { loadTlsProvider } from './tls.ts';
import type { ServerContext } from './server-context.ts';
import { LoginBrake } from './login-brake.ts';

export class FtpServer {
  private readonly sessions = new Set<Session>();
  private readonly perAddress = new Map<string, number>();
  private nextSessionId = 1;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    readonly context: ServerContext,
  ) {
    server.on('connection', (socket) => this.onConnection(socket));
  }

  /** `parts`: what the server is built from (server-parts.ts); the correct ones unless given. */
  static async start(settings: Settings, options: { logs?: Logs; parts?: ServerParts } = {}): Promise<FtpServer> {
    const parts = options.parts ?? SERVER_PARTS;
    parsePortRange(settings.pasvPorts);
    const layout = dataLayout(settings);
    // Uploads and copies cut by a crash leave half files in tmp/; nothing there is ever resumed.
    await rm(layout.tmp, { recursive: true, force: true });
    for (const folder of [layout.storage, layout.public, layout.logs, layout.tmp]) await mkdir(folder, { recursive: true });
    const accounts = await parts.openAccounts(layout.accounts);
    const logs = options.logs ?? openLogs(layout.logs, settings.logLevel);
    const freed = await removeEmptyHomesWithoutAccount(layout.storage, accounts);
    if (freed.length > 0) logs.auth.warn({ homes: freed }, 'empty homes without an account removed (left by a crash); their names are free again');
    const context: ServerContext = {
      settings,
      layout,
      accounts,
      logs,
      quota: new QuotaBook(layout.storage, (home) => accounts.get(home)?.quotaLimit ?? 0),
      tls: await loadTlsProvider(settings, layout),
      loginSlots: parts.loginSlots(settings.maxPerUser),
      parts,
      loginBrake: new LoginBrake(settings.loginFailDelay),
      endSessionsOf: () => 0,
    };
    const server = createServer({ noDelay: true });
    const instance = new FtpServer(server, context);
    context.endSessionsOf = (name, reason) => instance.endSessionsOf(name, reason);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: settings.host, port: settings.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => context.logs.connections.error({ error: error.message }, 'listener error'));
    context.logs.connections.info({ ...instance.address() }, 'listening');
    return instance;
  }

  address(): { host: string; port: number } {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('server is not listening');
    return { host: address.address, port: address.port };
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private onConnection(socket: Socket): void {
    const { settings, logs } = this.context;
    const remote = normalizeAddress(socket.remoteAddress);
    socket.on('error', () => {});
    const fromAddress = this.perAddress.get(remote) ?? 0;
    let refusal: string | null = null;
    if (this.stopping) refusal = 'Server shutting down.';
    else if (this.sessions.size >= settings.maxConnections) refusal = 'Too many connections; try again later.';
    else if (fromAddress >= settings.maxPerAddress) refusal = 'Too many connections from your address.';
    if (refusal) {
      logs.connections.warn({ remote, reason: refusal }, 'refused');
      socket.end(formatReply(Reply.serviceNotAvailable, refusal));
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    this.perAddress.set(remote, fromAddress + 1);
    const session = this.context.parts.createSession(socket, this.nextSessionId++, this.context, (ended) => this.onSessionClosed(ended, remote));
    this.sessions.add(session);
    logs.connections.info({ session: session.id, remote, local: session.localAddress }, 'connected');
    session.greet();
  }

  private onSessionClosed(session: Session, remote: string): void {
    if (!this.sessions.delete(session)) return;
    const left = (this.perAddress.get(remote) ?? 1) - 1;
    if (left <= 0) this.perAddress.delete(remote);
    else this.perAddress.set(remote, left);
    this.context.loginSlots.release(session);
  }

  /** Ends every session logged in as `name` (its account was deleted); returns how many. */
  endSessionsOf(name: string, reason: string): number {
    let ended = 0;
    for (const session of this.sessions) {
      if (session.identity?.name !== name || session.identity.role === 'anonymous') continue;
      session.replyAndClose(Reply.serviceNotAvailable, 'Your account was deleted; closing the connection.', reason);
      ended++;
    }
    return ended;
  }

  /** Stops accepting, lets running transfers finish for up to `graceMs`, then closes every session. */
  stop(graceMs = this.context.settings.shutdownGrace * 1000): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const session of this.sessions) session.shutdown(false);
      const deadline = Date.now() + graceMs;
      while ([...this.sessions].some((s) => s.transferRunning) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const session of this.sessions) if (!session.transferRunning) session.shutdown(false);
      }
      for (const session of this.sessions) session.shutdown(true);
      await closed;
      this.context.logs.connections.info({}, 'stopped');
      await this.context.logs.close();
    })();
    return this.stopping;
  }
}

