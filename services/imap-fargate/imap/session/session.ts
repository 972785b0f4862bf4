// The IMAP session state machine, sans IO (RFC 3501 §3, RFC 9051 §3):
//   not-authenticated → authenticated ⇄ selected → logout
// It takes framed commands, runs them one at a time through the verb table, and writes replies
// to its SessionIo. Continuation exchanges (AUTHENTICATE, IDLE) consume the next raw line.
import type { AuthThrottle } from '../../../../core/auth/auth-throttle.js';
import type { Logger } from '../../../../core/log/logger.js';
import type { Storage, User } from '../../../../core/ports/index.js';
import type { FramedCommand, FramerEvent } from '../protocol/command-framer.js';
import { TaggedSyntaxError, tokenizeCommand, type TokenizedCommand } from '../protocol/command-tokens.js';
import type { CommandContext } from './command.js';
import { COMMANDS } from './command-table.js';
import { BinaryMeasurer } from './binary-fetch.js';
import type { MailboxView } from './mailbox-view.js';
import { formatTagged, replyForError, type TaggedReply } from './replies.js';
import type { ConnectionInfo, SessionIo, UserConnectionLimiter } from './session-io.js';

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';
export type Extension = 'CONDSTORE' | 'QRESYNC' | 'UTF8=ACCEPT' | 'IMAP4REV2';

export interface SessionDeps {
  readonly storage: Pick<Storage, 'mailIndex' | 'blobs' | 'directory' | 'changes' | 'textIndex'>;
  readonly authThrottle: AuthThrottle;
  readonly userLimiter: UserConnectionLimiter;
  readonly logger: Logger;
  readonly hostname: string;
  readonly maxMessageBytes: number;
}

/** A line the session is waiting for instead of a command. */
export interface PendingLine {
  readonly tag: string;
  /** Gets the raw line; returns the tagged reply that ends the exchange, or null to keep waiting. */
  readonly onLine: (line: string) => Promise<TaggedReply | null>;
}

export class ImapSession {
  state: SessionState = 'not-authenticated';
  user: User | null = null;
  selected: MailboxView | null = null;
  readonly enabled = new Set<Extension>();
  connection: ConnectionInfo;
  pending: PendingLine | null = null;
  /** While IDLE: pushes untagged updates as changes arrive. */
  idling = false;
  private unwatch: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();
  readonly log: Logger;
  /** Decoded sizes for FETCH BINARY / BINARY.SIZE (RFC 3516). */
  readonly binary: BinaryMeasurer;

  constructor(
    readonly deps: SessionDeps,
    readonly io: SessionIo,
    connection: ConnectionInfo,
  ) {
    this.connection = connection;
    this.binary = new BinaryMeasurer(deps.storage.blobs);
    this.log = deps.logger.child({ clientIp: connection.clientIp });
  }

  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT');
  }

  get condstore(): boolean {
    return this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }

  greet(): void {
    this.io.write(`* OK [CAPABILITY ${this.capabilities().join(' ')}] ${this.deps.hostname} Yubin IMAP ready\r\n`);
  }

  /** RFC 3501 §7.2.1 plus the extensions of RFC 9051 §6.1.1; auth capabilities only where auth is allowed. */
  capabilities(): string[] {
    const caps = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'BINARY', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE', 'UNSELECT', 'UIDPLUS', 'MOVE', 'MULTIAPPEND'];
    // RFC 7889 §3: the one limit on APPEND, the same for every mailbox.
    caps.push(`APPENDLIMIT=${this.deps.maxMessageBytes}`);
    caps.push('SPECIAL-USE', 'CREATE-SPECIAL-USE', 'CONDSTORE', 'QRESYNC', 'QUOTA', 'QUOTA=RES-STORAGE', 'STATUS=SIZE', 'UTF8=ACCEPT', 'ESEARCH', 'SEARCHRES', 'LIST-STATUS', 'LIST-EXTENDED');
    if (this.state === 'not-authenticated') {
      if (this.connection.startTlsAvailable && !this.connection.secure) caps.push('STARTTLS');
      if (this.authAllowed()) caps.push('AUTH=PLAIN');
      else caps.push('LOGINDISABLED');
    }
    return caps;
  }

  /** RFC 3501 §6.2.3: no plaintext passwords over an unencrypted connection. */
  authAllowed(): boolean {
    return this.connection.secure || this.connection.allowPlaintextAuth;
  }

  /** Feeds one framer event; events run strictly in order. */
  handle(event: FramerEvent): Promise<void> {
    this.queue = this.queue.then(() =>
      this.run(event).catch((error: unknown) => {
        // A bug must end this session only, never the process or another session (design brief §4.5).
        this.log.error('session failed', { error, user: this.user?.address });
        this.bye('Internal server error; please reconnect');
      }),
    );
    return this.queue;
  }

  /** Runs `task` after everything queued so far (IDLE pushes use it to stay out of a running command). */
  serialize(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => this.log.error('background task failed', { error }));
    return this.queue;
  }

  private async run(event: FramerEvent): Promise<void> {
    if (this.state === 'logout') return;
    if (event.type === 'continue') {
      this.io.write('+ Ready for literal data\r\n');
      return;
    }
    if (event.type === 'rejected') {
      const text = event.reason === 'line-too-long' ? 'Command line too long' : `Literal larger than the ${this.deps.maxMessageBytes}-byte limit (APPENDLIMIT)`;
      // RFC 7889 §4: a message over APPENDLIMIT gets NO [TOOBIG]; an overlong line is a client error.
      const status = event.reason === 'line-too-long' ? 'BAD' : 'NO';
      if (event.fatal) return this.bye(`${text}; closing the connection`);
      this.io.write(event.tag === null ? `* BAD [TOOBIG] ${text}\r\n` : formatTagged(event.tag, { status, code: 'TOOBIG', text }));
      return;
    }
    if (event.type === 'streamed-command' && this.pending === null) {
      // Whatever the command's fate, the literal is either consumed by APPEND or refused (never left hanging).
      try {
        await this.runCommand(event.command);
      } finally {
        if (!event.command.streamed.accepted) await event.command.streamed.refuse();
      }
      return;
    }
    if (event.type === 'streamed-command') void event.command.streamed.refuse(); // a line of IDLE/AUTHENTICATE, not an APPEND
    if (this.pending !== null) {
      const pending = this.pending;
      const line = (event.command.lines[0] ?? Buffer.alloc(0)).toString('utf8');
      const reply = await this.guard(() => pending.onLine(line));
      if (reply !== null) {
        this.pending = null;
        await this.finish(pending.tag, reply, true);
      }
      return;
    }
    await this.runCommand(event.command);
  }

  private async runCommand(framed: FramedCommand): Promise<void> {
    let command: TokenizedCommand;
    try {
      command = tokenizeCommand(framed);
    } catch (error) {
      if (error instanceof TaggedSyntaxError) this.io.write(formatTagged(error.tag, { status: 'BAD', code: 'CLIENTBUG', text: error.message }));
      else this.io.write(`* BAD Malformed command: ${(error as Error).message}\r\n`);
      return;
    }
    await this.dispatch(command, command.verb, command.args, false);
  }

  /** Runs a verb (also used by UID to run FETCH/STORE/... with `byUid`). */
  async dispatch(command: TokenizedCommand, verb: string, args: TokenizedCommand['args'], byUid: boolean): Promise<void> {
    const handler = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb as keyof typeof COMMANDS] : undefined;
    if (handler === undefined) {
      this.io.write(formatTagged(command.tag, { status: 'BAD', code: 'CLIENTBUG', text: `Unknown command ${verb.slice(0, 40)}` }));
      return;
    }
    if (!(handler.states as readonly string[]).includes(this.state)) {
      const text = this.state === 'not-authenticated' ? 'Log in first' : this.state === 'authenticated' ? 'Select a mailbox first' : `${verb} is not allowed now`;
      this.io.write(formatTagged(command.tag, { status: 'BAD', code: 'CLIENTBUG', text }));
      return;
    }
    const streamed = byUid ? null : command.streamed;
    const context: CommandContext = { session: this, tag: command.tag, verb, args, byUid, streamed, dispatch: (v, a) => this.dispatch(command, v, a, true) };
    const reply = await this.guard(() => handler.run(context));
    // RFC 3501 §7.4.1: no EXPUNGE while answering FETCH, STORE or SEARCH (their UID forms may).
    if (reply !== null) await this.finish(command.tag, reply, byUid || handler.holdsExpunges !== true);
  }

  private async guard<T>(task: () => Promise<T>): Promise<T | TaggedReply> {
    try {
      return await task();
    } catch (error) {
      const { reply, unexpected } = replyForError(error);
      if (unexpected) this.log.error('command failed', { error, user: this.user?.address });
      return reply;
    }
  }

  /** Writes pending mailbox updates (RFC 3501 §7: before the tagged reply), then the tagged reply. */
  private async finish(tag: string, reply: TaggedReply, allowExpunge: boolean): Promise<void> {
    if (this.selected !== null && this.state === 'selected') {
      for (const line of await this.syncSelected(allowExpunge)) this.io.write(line);
    }
    this.io.write(formatTagged(tag, reply));
  }

  async syncSelected(allowExpunge: boolean): Promise<string[]> {
    const view = this.selected;
    if (view === null) return [];
    const largestBefore = view.largestUid;
    const lines = await view.sync(this.deps.storage.mailIndex, {
      allowExpunge,
      qresync: this.enabled.has('QRESYNC'),
      condstore: this.condstore,
      formatFlags: (uid, flags) => this.flagList(uid, flags),
    });
    // RFC 3501 §7.3.2: RECENT follows the EXISTS of new messages, which this session claims (§2.3.2).
    if (view.largestUid > largestBefore && this.seesRecent) {
      if (!view.readOnly) view.recent.add(await this.deps.storage.mailIndex.claimRecent(view.mailbox.id));
      lines.push(`* ${view.recentCount} RECENT\r\n`);
    }
    return lines;
  }

  /** \Recent exists for IMAP4rev1 sessions only: RFC 9051 removed it (§2.3.2, Appendix E). */
  get seesRecent(): boolean {
    return !this.enabled.has('IMAP4REV2');
  }

  /** A FETCH response's flag list: the stored flags, plus \Recent where this session holds it. */
  flagList(uid: number, flags: readonly string[]): string {
    const recent = this.selected !== null && this.seesRecent && this.selected.recent.has(uid);
    return `(${recent ? [...flags, '\\Recent'].join(' ') : flags.join(' ')})`;
  }

  /** Switches to a mailbox view (SELECT/EXAMINE) or back to authenticated (CLOSE/UNSELECT). */
  setSelected(view: MailboxView | null): void {
    this.unwatch?.();
    this.unwatch = null;
    this.selected = view;
    this.state = view === null ? 'authenticated' : 'selected';
    if (view === null) return;
    this.unwatch = this.deps.storage.changes.watch(view.mailbox.id, () => {
      view.dirty = true;
      if (this.idling) void this.serialize(() => this.pushIdleUpdates());
    });
  }

  async pushIdleUpdates(): Promise<void> {
    if (!this.idling) return;
    for (const line of await this.syncSelected(true)) this.io.write(line);
  }

  bye(text: string): void {
    this.io.write(`* BYE ${text}\r\n`);
    this.close();
    this.io.close();
  }

  /** Releases what the session holds; called by LOGOUT and by the server when the socket ends. */
  close(): void {
    if (this.state === 'logout') return;
    this.unwatch?.();
    this.unwatch = null;
    this.idling = false;
    if (this.user !== null) this.deps.userLimiter.release(this.user.id);
    this.state = 'logout';
  }

  /** Graceful drain: tell the client to reconnect elsewhere (RFC 3501 §7.1.5). */
  shutdown(): Promise<void> {
    return this.serialize(async () => this.bye('Server shutting down; please reconnect'));
  }
}

export type { CommandContext };
