/**
 * Certificates for AUTH TLS (RFC 4217): the operator's PEM pair when given,
 * else a self-signed EC pair made at first start and kept in <data>/tls.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { mkdir, readFile, rm, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataLayout, Settings } from './config.ts';
import type { TlsProvider } from './server-context.ts';

const VALID_DAYS = 3650;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function selfSignedPair(folder: string): Promise<{ cert: string; key: string }> {
  const certFile = join(folder, 'cert.pem');
  const keyFile = join(folder, 'key.pem');
  if ((await exists(certFile)) && (await exists(keyFile))) {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  }
  // The pair is kept and reused, so it is made valid for ten years (selfsigned's default is one).
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + VALID_DAYS * 24 * 60 * 60 * 1000);
  // Loaded only when a pair must be made: the X.509 code costs ~16 MiB of memory for the life of the process.
  const { default: selfsigned } = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'ftp-ref' }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate,
    notAfterDate,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFile(keyFile, pems.private, { mode: 0o600 });
    await writeFile(certFile, pems.cert);
  } catch (error) {
    // A full disk must not stop the start: this run uses the pair, the next start makes another.
    await rm(keyFile, { force: true }).catch(() => {});
    await rm(certFile, { force: true }).catch(() => {});
    process.stderr.write(`ftp-ref: cannot keep the self-signed TLS pair in ${folder} (${(error as Error).message}); a new one is made at the next start\n`);
  }
  return { cert: pems.cert, key: pems.private };
}

export async function loadTlsProvider(settings: Settings, layout: DataLayout): Promise<TlsProvider> {
  const pair = settings.tlsCert
    ? { cert: await readFile(settings.tlsCert, 'utf8'), key: await readFile(settings.tlsKey, 'utf8') }
    : await selfSignedPair(layout.tls);
  const context: SecureContext = createSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
  return { secureContext: () => context };
}
