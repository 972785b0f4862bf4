// Shared by the egress tests: a local DNS server (test/support/loopback-dns.ts), a fake remote MX
// (smtp-server with STARTTLS, optionally REQUIRETLS) whose per-recipient replies a test scripts, an
// MTA-STS policy host over HTTPS, local storage with a sender and its DKIM key, and helpers to
// submit outbound jobs as the SMTP service does.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import type { EgressSettings } from '../../../../services/smtp-fargate/egress/egress-settings.js';
import type { MtaStsPolicyFetcher } from '../../../../services/smtp-fargate/egress/mta-sts.js';
import type { EnvelopeRecipient, OutboundDeliveryJob } from '../../../../core/mail/jobs.js';
import type { Storage } from '../../../../core/ports/index.js';
import { createSelfSignedCertificate, type CertificatePem } from '../../../../core/tls/certificates.js';

export { startLoopbackDns, type LoopbackDns, type ZoneRecords } from '../../../support/loopback-dns.js';

export interface MtaStsPolicyServer {
  /** Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` from the loopback server, trusting its certificate. */
  readonly fetcher: MtaStsPolicyFetcher;
  close(): Promise<void>;
}

/** The policy host of each domain (RFC 8461 §3.3) over HTTPS on loopback, keyed by `mta-sts.<domain>`. */
export async function startMtaStsPolicyServer(policies: Readonly<Record<string, string>>): Promise<MtaStsPolicyServer> {
  // One certificate for every policy host; the virtual host is picked by the Host header.
  const certificate = await createSelfSignedCertificate('localhost');
  const server = createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, (request, response) => {
    const policy = request.url === '/.well-known/mta-sts.txt' ? policies[request.headers.host ?? ''] : undefined;
    response.writeHead(policy ? 200 : 404, { 'content-type': 'text/plain' }).end(policy ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fetcher: MtaStsPolicyFetcher = (domain) =>
    new Promise((resolve) => {
      const options = {
        host: '127.0.0.1',
        port,
        path: '/.well-known/mta-sts.txt',
        headers: { host: `mta-sts.${domain}` },
        servername: 'localhost',
        ca: certificate.certPem,
      };
      httpsGet(options, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(response.statusCode === 200 ? body : null));
      }).on('error', () => resolve(null));
    });
  return { fetcher, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ReceivedMessage {
  readonly mailFrom: string;
  readonly recipients: string[];
  readonly raw: string;
  readonly tls: boolean;
  /** The client sent `MAIL FROM … REQUIRETLS` (RFC 8689). */
  readonly requireTls: boolean;
}

export interface ScriptedReply {
  readonly code: number;
  readonly message: string;
}

export interface FakeMx {
  readonly port: number;
  readonly certificate: CertificatePem;
  readonly received: ReceivedMessage[];
  /** Replies to RCPT TO for an address, used up in order; afterwards the address is accepted. */
  readonly rcptReplies: Map<string, ScriptedReply[]>;
  close(): Promise<void>;
}

export interface FakeMxFeatures {
  /** Offer STARTTLS (default true); without it the command is refused as not implemented. */
  readonly starttls?: boolean;
  /** Offer REQUIRETLS after STARTTLS (RFC 8689; default false, as most of the internet). */
  readonly requireTls?: boolean;
  /** Where to listen (default 127.0.0.1, any port): a second MX shares the first one's port on 127.0.0.2. */
  readonly listen?: { readonly host: string; readonly port: number };
}

/** A remote MX on loopback, offering STARTTLS with a certificate for `certificateName`. */
export async function startFakeMx(
  certificateName = 'mx.remote.test',
  auth?: { user: string; pass: string },
  features: FakeMxFeatures = {},
): Promise<FakeMx> {
  const certificate = await createSelfSignedCertificate(certificateName);
  const disabledCommands = [...(auth === undefined ? ['AUTH'] : []), ...(features.starttls === false ? ['STARTTLS'] : [])];
  const received: ReceivedMessage[] = [];
  const rcptReplies = new Map<string, ScriptedReply[]>();
  const server = new SMTPServer({
    key: certificate.keyPem,
    cert: certificate.certPem,
    authOptional: auth === undefined,
    allowInsecureAuth: false,
    disabledCommands,
    hideREQUIRETLS: features.requireTls !== true,
    logger: false,
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.pass) callback(null, { user: login.username });
      else callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const reply = rcptReplies.get(address.address)?.shift();
      if (reply) callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          tls: session.secure,
          requireTls: session.envelope.requireTLS === true,
        });
        callback(null, '2.0.0 Queued');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(features.listen?.port ?? 0, features.listen?.host ?? '127.0.0.1', resolve);
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, certificate, received, rcptReplies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export const SENDER = 'alice@sender.test';

export interface EgressBed {
  readonly storage: Storage;
  readonly dataDir: string;
  readonly senderUserId: string;
  /** The DKIM public key record of sender.test (`v=DKIM1; …`), published under `mail._domainkey`. */
  readonly dkimRecord: string;
  close(): Promise<void>;
}

export async function openEgressBed(): Promise<EgressBed> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-egress-'));
  const storage = await openLocalStorage({ dataDir });
  await storage.directory.addDomain('sender.test');
  const user = await storage.directory.addUser({ address: SENDER, passwordHash: 'not-used-here' });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await storage.directory.putDkimKey({
    domain: 'sender.test',
    selector: 'mail',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: 'rsa-sha256',
    createdAt: new Date(),
  });
  const dkimRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  return {
    storage,
    dataDir,
    senderUserId: user.id,
    dkimRecord,
    async close() {
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function testMessage(to: readonly string[], subject: string, body = 'Hello from the egress tests.\r\n'): string {
  return [
    `From: Alice <${SENDER}>`,
    `To: ${to.join(', ')}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@sender.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}

/** Spools the message and enqueues the outbound job, as submission does. */
export async function submitOutbound(
  storage: Storage,
  message: string,
  recipients: readonly (string | EnvelopeRecipient)[],
  extra: Partial<OutboundDeliveryJob['envelope']> = {},
): Promise<OutboundDeliveryJob> {
  const blob = await storage.blobs.put(Readable.from([Buffer.from(message)]), { prefix: 'spool/' });
  const job: OutboundDeliveryJob = {
    kind: 'outbound',
    messageId: randomUUID(),
    blobKey: blob.key,
    sizeBytes: blob.sizeBytes,
    envelope: {
      mailFrom: SENDER,
      recipients: recipients.map((recipient) => (typeof recipient === 'string' ? { address: recipient } : recipient)),
      ...extra,
    },
    client: { ip: '127.0.0.1', helo: 'client.sender.test', authenticatedAs: SENDER, tls: true },
    receivedAt: new Date().toISOString(),
  };
  await storage.outboundQueue.send(job);
  return job;
}

export function egressConfig(overrides: Partial<EgressSettings>): EgressSettings {
  return {
    mode: 'sink',
    expirySeconds: 3600,
    retryBaseDelaySeconds: 1,
    maxRetryDelaySeconds: 2,
    delayNoticeAfterSeconds: 0,
    dailyRecipientCap: 0,
    perDomainConcurrency: 2,
    perDomainMessagesPerMinute: 0,
    dnsServers: [],
    remoteSmtpPort: 25,
    sesRegion: 'eu-west-1',
    ...overrides,
  };
}

/** The text of every message in the user's mailbox. */
export async function mailboxTexts(storage: Storage, userId: string, name: string): Promise<string[]> {
  const mailbox = await storage.mailIndex.getMailbox(userId, name);
  if (!mailbox) return [];
  const messages = await storage.mailIndex.getMessages(mailbox.id, await storage.mailIndex.listUids(mailbox.id));
  const texts: string[] = [];
  for (const message of messages) {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.blobs.get(message.blobKey)) chunks.push(Buffer.from(chunk as Uint8Array));
    texts.push(Buffer.concat(chunks).toString('utf8'));
  }
  return texts;
}

export { eventually } from '../../../support/eventually.js';
