// Any IMAP server as an import source (Amazon WorkMail, Exchange, Gmail, Dovecot, another Yubin):
// every selectable folder is opened read-only (EXAMINE, RFC 3501 §6.3.2, so \Seen is not set by
// reading), UIDs and sizes are listed first, then bodies are fetched in small batches.
import type { ImapFlow, ListResponse } from 'imapflow';
import { CliError } from '../cli-context.js';
import { asSpecialUse, toCrlf, type ImportEstimate, type ImportMessage, type ImportSource } from './import-source.js';

export interface ImapSourceOptions {
  /** `imaps://user@host[:port]` (implicit TLS, 993) or `imap://user@host[:port]` (STARTTLS required, 143). */
  readonly url: URL;
  /** Login name when the URL has none (the CSV of `import --all-users`). */
  readonly user?: string;
  readonly password: string;
  /** Accept a self-signed or otherwise unverifiable certificate (test servers only). */
  readonly insecureTls?: boolean;
  readonly maxMessageBytes: number;
}

/** Bodies per FETCH: few enough to keep memory small, enough to amortise round trips. */
const FETCH_BATCH_MESSAGES = 25;

function normalizedFolder(entry: ListResponse): string {
  if (entry.path.toUpperCase() === 'INBOX') return 'INBOX';
  return entry.delimiter ? entry.path.split(entry.delimiter).join('/') : entry.path;
}

export function parseImapUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`not an IMAP URL: ${JSON.stringify(text)} (example: imaps://alice@imap.mail.us-east-1.awsapps.com)`);
  }
  if (url.protocol !== 'imaps:' && url.protocol !== 'imap:') throw new CliError(`${text}: use imaps:// (or imap:// with STARTTLS)`);
  if (url.password) throw new CliError('do not put the password in the URL: pass it with --password-stdin');
  return url;
}

export class ImapSource implements ImportSource {
  readonly description: string;
  private readonly user: string;
  private clientInstance: ImapFlow | null = null;
  private connected: Promise<void> | null = null;

  constructor(private readonly options: ImapSourceOptions) {
    const { url } = options;
    const user = decodeURIComponent(url.username) || options.user;
    if (!user) throw new CliError(`${url.href}: no user name (imaps://USER@host)`);
    this.user = user;
    this.description = `${url.protocol}//${user}@${url.host}`;
  }

  private get client(): ImapFlow {
    if (!this.clientInstance) throw new Error('ImapSource used before connect()');
    return this.clientInstance;
  }

  private async createClient(): Promise<ImapFlow> {
    const { url } = this.options;
    const secure = url.protocol === 'imaps:';
    // Loaded on demand: only IMAP imports need it.
    const { ImapFlow } = await import('imapflow');
    return new ImapFlow({
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 993 : 143,
      secure,
      // RFC 8314 §3: never send a password in clear; imap:// must upgrade with STARTTLS.
      doSTARTTLS: secure ? undefined : true,
      auth: { user: this.user, pass: this.options.password },
      tls: { rejectUnauthorized: this.options.insecureTls !== true },
      logger: false,
      disableAutoIdle: true,
    });
  }

  private async connect(): Promise<void> {
    this.connected ??= (async () => {
      this.clientInstance = await this.createClient();
      await this.clientInstance.connect();
    })().catch((error: unknown) => {
      const reason = (error as { authenticationFailed?: boolean }).authenticationFailed ? 'login refused' : (error as Error).message;
      throw new CliError(`${this.description}: ${reason}`);
    });
    return this.connected;
  }

  private async folders(): Promise<ListResponse[]> {
    await this.connect();
    const entries = await this.client.list();
    return entries.filter((entry) => !entry.flags.has('\\Noselect') && !entry.flags.has('\\NonExistent'));
  }

  async estimate(): Promise<ImportEstimate> {
    let messages = 0;
    for (const entry of await this.folders()) {
      const status = await this.client.status(entry.path, { messages: true });
      messages += status ? (status.messages ?? 0) : 0;
    }
    return { messages, bytes: null };
  }

  async *messages(): AsyncGenerator<ImportMessage> {
    for (const entry of await this.folders()) {
      const lock = await this.client.getMailboxLock(entry.path, { readOnly: true });
      try {
        const mailbox = this.client.mailbox;
        if (!mailbox || mailbox.exists === 0) continue;
        const uids: number[] = [];
        for await (const message of this.client.fetch('1:*', { uid: true, size: true })) {
          if ((message.size ?? 0) <= this.options.maxMessageBytes) uids.push(message.uid);
        }
        uids.sort((a, b) => a - b);
        for (let start = 0; start < uids.length; start += FETCH_BATCH_MESSAGES) {
          const batch = uids.slice(start, start + FETCH_BATCH_MESSAGES);
          for await (const message of this.client.fetch(
            batch.join(','),
            { uid: true, flags: true, internalDate: true, source: true },
            { uid: true },
          )) {
            if (!message.source) continue;
            const date = message.internalDate instanceof Date ? message.internalDate : new Date(message.internalDate ?? Date.now());
            yield {
              folder: normalizedFolder(entry),
              specialUse: asSpecialUse(entry.specialUse),
              flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent'),
              internalDate: date,
              bytes: toCrlf(message.source),
            };
          }
        }
      } finally {
        lock.release();
      }
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.client.logout().catch(() => this.client.close());
  }
}
