/**
 * Every setting of ftp-ref in one table: its flag, type, default and help.
 * The CLI builds its options from this table and a config file (YAML or JSON)
 * may set any of them; flags win over the file.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

type SettingType = 'string' | 'number' | 'boolean';

interface SettingSpec {
  type: SettingType;
  default: string | number | boolean;
  describe: string;
}

export const SETTINGS = {
  host: { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' },
  port: { type: 'number', default: 2121, describe: 'Control port (0 picks a free one)' },
  data: { type: 'string', default: './ftp-ref-data', describe: 'Data folder: accounts, homes (storage/), public/, logs/, tls/' },
  publicDir: { type: 'string', default: '', describe: 'Folder anonymous users see (default <data>/public)' },
  anonymous: { type: 'boolean', default: true, describe: 'Allow anonymous read-only logins (USER anonymous or ftp)' },
  registration: { type: 'boolean', default: false, describe: 'Allow SITE REGISTER to create accounts' },
  defaultQuota: { type: 'number', default: 0, describe: 'Quota in bytes for new accounts (0: none)' },
  pasvPorts: { type: 'string', default: '', describe: 'Passive port range, e.g. 40000-40100 (default: random ports in 20000-31999)' },
  pasvAddress: { type: 'string', default: '', describe: 'IPv4 address announced in 227 replies (default: the control connection\'s local address)' },
  maxConnections: { type: 'number', default: 200, describe: 'Connections in all; past it 421' },
  maxPerUser: { type: 'number', default: 10, describe: 'Logged-in sessions per account; past it 421' },
  maxPerAddress: { type: 'number', default: 50, describe: 'Connections per client address; past it 421' },
  idleTimeout: { type: 'number', default: 300, describe: 'Seconds a control connection may go without a complete command (0: no limit)' },
  loginTimeout: { type: 'number', default: 60, describe: 'Seconds a connection may stay without logging in (0: no limit)' },
  dataTimeout: { type: 'number', default: 30, describe: 'Seconds to wait for a data connection, and that a transfer may move no data (then 426)' },
  loginFailDelay: { type: 'number', default: 500, describe: 'Milliseconds of delay after each failed login' },
  maxLoginFailures: { type: 'number', default: 3, describe: 'Failed logins a connection may make before 421' },
  maxLineBytes: { type: 'number', default: 8192, describe: 'Longest accepted command line in bytes' },
  tlsCert: { type: 'string', default: '', describe: 'PEM certificate for AUTH TLS (default: self-signed, made in <data>/tls)' },
  tlsKey: { type: 'string', default: '', describe: 'PEM private key for AUTH TLS' },
  requireTls: { type: 'boolean', default: false, describe: 'Refuse USER before AUTH TLS (530) and data without PROT P (534)' },
  shutdownGrace: { type: 'number', default: 10, describe: 'Seconds running transfers may finish after SIGTERM' },
  logLevel: { type: 'string', default: 'info', describe: 'Log level: debug, info, warn, error' },
} satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

export type Settings = {
  [K in SettingName]: (typeof SETTINGS)[K]['type'] extends 'number'
    ? number
    : (typeof SETTINGS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export class ConfigError extends Error {}

export function defaultSettings(): Settings {
  return Object.fromEntries(Object.entries(SETTINGS).map(([name, spec]) => [name, spec.default])) as Settings;
}

/** A config file key spelled as its flag (`max-per-user`) or as the setting (`maxPerUser`) names the setting. */
function settingName(key: string): string {
  return key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Checks a value against its setting's type; the message names the setting as the user wrote it. */
function coerce(name: string, value: unknown, writtenAs = name): string | number | boolean {
  const spec = Object.hasOwn(SETTINGS, name) ? (SETTINGS as Record<string, SettingSpec>)[name] : undefined;
  if (!spec) throw new ConfigError(`unknown setting "${writtenAs}" (known: ${Object.keys(SETTINGS).join(', ')}, or each spelled as its flag, e.g. max-per-user)`);
  if (spec.type === 'number') {
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
      throw new ConfigError(`setting "${name}" must be a non-negative number, got ${JSON.stringify(value)}`);
    }
    return number;
  }
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') throw new ConfigError(`setting "${name}" must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== 'string') throw new ConfigError(`setting "${name}" must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Defaults, then the config file (if any), then explicit overrides. */
export async function loadSettings(configFile: string | undefined, overrides: Partial<Record<string, unknown>>): Promise<Settings> {
  const settings: Record<string, unknown> = defaultSettings();
  if (configFile) {
    let parsed: unknown;
    try {
      // The YAML parser is loaded only when there is a config file to read (it costs ~9 MiB).
      const { parse: parseYaml } = await import('yaml');
      parsed = parseYaml(await readFile(configFile, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read config file ${configFile}: ${(error as Error).message}`);
    }
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError(`config file ${configFile} must hold a mapping of setting: value`);
    }
    const spelledAs = new Map<string, string>();
    for (const [key, value] of Object.entries(parsed ?? {})) {
      const name = settingName(key);
      const earlier = spelledAs.get(name);
      if (earlier !== undefined) throw new ConfigError(`setting "${name}" given twice in ${configFile} (as "${earlier}" and "${key}")`);
      spelledAs.set(name, key);
      settings[name] = coerce(name, value, key);
    }
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined) settings[name] = coerce(name, value);
  }
  validate(settings as Settings);
  return settings as Settings;
}

export function parsePortRange(text: string): { first: number; last: number } | null {
  if (text === '') return null;
  const match = /^(\d+)-(\d+)$/.exec(text);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1024 || last > 65535 || first > last) {
    throw new ConfigError(`pasvPorts must look like 40000-40100 (ports 1024-65535), got "${text}"`);
  }
  return { first, last };
}

function validate(settings: Settings): void {
  parsePortRange(settings.pasvPorts);
  if (settings.port > 65535) throw new ConfigError(`port must be 0-65535, got ${settings.port}`);
  if ((settings.tlsCert === '') !== (settings.tlsKey === '')) throw new ConfigError('tlsCert and tlsKey go together');
  if (!['debug', 'info', 'warn', 'error'].includes(settings.logLevel)) throw new ConfigError(`logLevel must be debug, info, warn or error`);
}

export interface DataLayout {
  root: string;
  storage: string;
  public: string;
  accounts: string;
  logs: string;
  tls: string;
  tmp: string;
}

/** Where the server keeps what: homes under storage/, its own files beside it, outside every root. */
export function dataLayout(settings: Settings): DataLayout {
  const root = resolve(settings.data);
  return {
    root,
    storage: resolve(root, 'storage'),
    public: settings.publicDir ? resolve(settings.publicDir) : resolve(root, 'public'),
    accounts: resolve(root, 'accounts.json'),
    logs: resolve(root, 'logs'),
    tls: resolve(root, 'tls'),
    tmp: resolve(root, 'tmp'),
  };
}
