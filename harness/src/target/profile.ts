/**
 * A target: where it is, the accounts it has for each role, what it can do
 * and its limits. From a profile file (YAML, schema-checked) and flags; flags
 * win. A role without an account makes the cases that need it skip.
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { Role } from '../spec/types.ts';
import { parseYamlLocated, schemaProblem } from '../spec/loader.ts';

export interface Account {
  name: string;
  password: string;
  /** Quota limit in bytes, for the quota role. */
  limit?: number;
}

export interface TargetLimits {
  maxConnections?: number;
  maxPerUser?: number;
  idleTimeoutSeconds?: number;
  dataTimeoutSeconds?: number;
}

export interface TargetProfile {
  host: string;
  port: number;
  /** Explicit FTPS for every session. */
  tls: boolean;
  accounts: Partial<Record<Role, Account>>;
  capabilities: { add: string[]; remove: string[] };
  limits: TargetLimits;
  /** Folders on the server's disk whose names must never show in a reply. */
  serverPaths: string[];
  /** A file anonymous users may read (path as anonymous sees it). */
  anonymousFile?: string;
  /** Label for reports. */
  name: string;
}

export class TargetError extends Error {}

/** JSON Schema of one account; shared with grade rubrics. */
export const ACCOUNT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'password'],
  properties: { name: { type: 'string', minLength: 1 }, password: { type: 'string' }, limit: { type: 'integer', minimum: 0 } },
} as const;

/** JSON Schema of a target's declared limits; shared with grade rubrics. */
export const LIMITS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxConnections: { type: 'integer', minimum: 1 },
    maxPerUser: { type: 'integer', minimum: 1 },
    idleTimeoutSeconds: { type: 'integer', minimum: 1 },
    dataTimeoutSeconds: { type: 'integer', minimum: 1 },
  },
} as const;

export const PROFILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    target: { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$|^\\[[0-9a-fA-F:]+\\]:\\d{1,5}$' },
    tls: { type: 'boolean' },
    accounts: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(['user', 'user2', 'admin', 'quota', 'anonymous'].map((role) => [role, ACCOUNT_SCHEMA])),
    },
    capabilities: {
      type: 'object',
      additionalProperties: false,
      properties: { add: { type: 'array', items: { type: 'string' } }, remove: { type: 'array', items: { type: 'string' } } },
    },
    limits: LIMITS_SCHEMA,
    serverPaths: { type: 'array', items: { type: 'string' } },
    anonymousFile: { type: 'string' },
  },
} as const;

const validateProfile = new Ajv({ allErrors: true }).compile(PROFILE_SCHEMA);

/** `host:port` or `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^\[([0-9a-fA-F:]+)\]:(\d+)$/.exec(text) ?? /^([^\s:]+):(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match) throw new TargetError(`target "${text}" must look like host:port (e.g. 127.0.0.1:21)`);
  if (port < 1 || port > 65535) throw new TargetError(`target "${text}": port ${match[2]} is out of range (1-65535)`);
  return { host: match[1] as string, port };
}

/** `name:password` or, for the quota role, `name:password:limit`. */
export function parseAccountFlag(text: string, flag: string, withLimit = false): Account {
  const first = text.indexOf(':');
  if (first <= 0) throw new TargetError(`--${flag} must look like name:password${withLimit ? ':limit' : ''}`);
  const name = text.slice(0, first);
  let password = text.slice(first + 1);
  if (!withLimit) return { name, password };
  const last = password.lastIndexOf(':');
  const limit = Number(password.slice(last + 1));
  if (last < 0 || !Number.isInteger(limit) || limit <= 0) throw new TargetError(`--${flag} must look like name:password:limit (limit in bytes)`);
  password = password.slice(0, last);
  return { name, password, limit };
}

export async function readProfileFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TargetError(`cannot read profile ${file}: ${(error as Error).message}`);
  }
  const located = parseYamlLocated(text, file);
  if (located.problems.length > 0) throw new TargetError(`profile ${file} is not valid YAML:\n  ${located.problems.join('\n  ')}`);
  const parsed = located.document.toJS() as unknown;
  if (!validateProfile(parsed)) {
    const problems = (validateProfile.errors ?? []).map((error) => schemaProblem(file, located.lineOf, error));
    throw new TargetError(`profile ${file} is not valid:\n  ${problems.join('\n  ')}`);
  }
  return parsed as Record<string, unknown>;
}

export interface ProfileFlags {
  target?: string;
  profile?: string;
  tls?: boolean;
  user?: string;
  user2?: string;
  admin?: string;
  quotaUser?: string;
  anonymous?: string;
  noAnonymous?: boolean;
}

/** Builds the profile of a given target from the profile file and flags. */
export async function buildProfile(flags: ProfileFlags): Promise<TargetProfile> {
  const file = flags.profile ? await readProfileFile(flags.profile) : {};
  const where = flags.target ?? (file.target as string | undefined);
  if (!where) throw new TargetError('no target: give --target host:port or a profile with "target"');
  const { host, port } = parseHostPort(where);
  const accounts: Partial<Record<Role, Account>> = { ...((file.accounts as Partial<Record<Role, Account>>) ?? {}) };
  if (flags.user) accounts.user = parseAccountFlag(flags.user, 'user');
  if (flags.user2) accounts.user2 = parseAccountFlag(flags.user2, 'user2');
  if (flags.admin) accounts.admin = parseAccountFlag(flags.admin, 'admin');
  if (flags.quotaUser) accounts.quota = parseAccountFlag(flags.quotaUser, 'quota-user', true);
  if (flags.anonymous) accounts.anonymous = parseAccountFlag(flags.anonymous, 'anonymous');
  if (!accounts.anonymous && !flags.noAnonymous) accounts.anonymous = { name: 'anonymous', password: 'ftp-check@example.com' };
  if (flags.noAnonymous) delete accounts.anonymous;
  const capabilities = (file.capabilities as { add?: string[]; remove?: string[] }) ?? {};
  return {
    host,
    port,
    tls: flags.tls ?? (file.tls as boolean | undefined) ?? false,
    accounts,
    capabilities: { add: capabilities.add ?? [], remove: capabilities.remove ?? [] },
    limits: (file.limits as TargetLimits) ?? {},
    serverPaths: (file.serverPaths as string[]) ?? [],
    anonymousFile: file.anonymousFile as string | undefined,
    name: (file.name as string | undefined) ?? `${host}:${port}`,
  };
}
