// TLS material for the listeners. A CertificateSource yields PEM key+cert (files locally, Secrets
// Manager on AWS); TlsContextProvider holds the current SecureContext and swaps it in place when the
// source changes, so certificates renew without a restart (design brief §8). TLS 1.2+ only.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import selfsigned from 'selfsigned';

export interface CertificatePem {
  readonly keyPem: string;
  readonly certPem: string;
}

export interface CertificateSource {
  load(): Promise<CertificatePem>;
}

export const MIN_TLS_VERSION = 'TLSv1.2' as const;

export async function createSelfSignedCertificate(hostname: string): Promise<CertificatePem> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + 825 * 24 * 3600_000); // the longest validity clients accept
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}

/** Reads `tls/key.pem` and `tls/cert.pem` under a directory, creating a self-signed pair when absent. */
export class FileCertificateSource implements CertificateSource {
  constructor(
    private readonly directory: string,
    private readonly hostname: string,
  ) {}

  async load(): Promise<CertificatePem> {
    const keyPath = path.join(this.directory, 'key.pem');
    const certPath = path.join(this.directory, 'cert.pem');
    try {
      return { keyPem: await readFile(keyPath, 'utf8'), certPem: await readFile(certPath, 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const created = await createSelfSignedCertificate(this.hostname);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await writeFile(`${keyPath}.tmp`, created.keyPem, { mode: 0o600 });
    await writeFile(`${certPath}.tmp`, created.certPem);
    await rename(`${keyPath}.tmp`, keyPath);
    await rename(`${certPath}.tmp`, certPath);
    return created;
  }
}

/** A fixed pair, for tests and for callers that already hold the PEMs. */
export class StaticCertificateSource implements CertificateSource {
  constructor(private readonly pem: CertificatePem) {}
  async load(): Promise<CertificatePem> {
    return this.pem;
  }
}

export class TlsContextProvider {
  private context: tls.SecureContext | null = null;
  private lastCertPem = '';

  constructor(private readonly source: CertificateSource) {}

  /** Loads (or reloads) the certificate; returns true when it changed. */
  async refresh(): Promise<boolean> {
    const pem = await this.source.load();
    if (this.context !== null && pem.certPem === this.lastCertPem) return false;
    this.context = tls.createSecureContext({ key: pem.keyPem, cert: pem.certPem, minVersion: MIN_TLS_VERSION });
    this.lastCertPem = pem.certPem;
    return true;
  }

  /** The current context; refresh() must have run once. */
  current(): tls.SecureContext {
    if (this.context === null) throw new Error('TlsContextProvider.current() called before refresh()');
    return this.context;
  }

  /**
   * Options for `new tls.TLSSocket(socket, { isServer: true, ...serverOptions() })`, the way every
   * listener upgrades (STARTTLS and implicit TLS alike): the socket takes the current certificate at
   * handshake time, with or without SNI. (tls.createServer ignores `secureContext`; do not use it here.)
   */
  serverOptions(): tls.TlsOptions {
    return { minVersion: MIN_TLS_VERSION, SNICallback: (_servername, done) => done(null, this.current()), secureContext: this.current() } as tls.TlsOptions;
  }
}
