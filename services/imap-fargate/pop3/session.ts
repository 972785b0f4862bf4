// One POP3 session as a sans-IO state machine (RFC 1939 §3): the network shell feeds it client
// lines and performs the steps it returns (send, start TLS, close). It reaches storage only through
// the ports it is given, and holds no socket.
import { authenticate } from '../../../core/auth/authenticate.js';
import type { Logger } from '../../../core/log/logger.js';
import { POP3_COMMANDS } from './commands/index.js';
import { lines, type Pop3CommandHandler, type Pop3Context, type Pop3SessionEnvironment, type Pop3State, type Pop3Step } from './commands/types.js';
import { Maildrop } from './maildrop.js';
import { parseCommand, type Pop3Command } from './protocol/commands.js';
import { formatOk } from './protocol/responses.js';
import { errorReply, failureReply } from './replies.js';

/** Unknown or malformed commands tolerated before the connection is closed (e.g. an HTTP client). */
const MAX_BAD_COMMANDS = 10;

export class Pop3Session implements Pop3Context {
  readonly logger: Logger;
  pendingUser: string | null = null;
  private currentState: Pop3State = 'authorization';
  private tlsActive: boolean;
  private openMaildrop: Maildrop | null = null;
  private userId: string | null = null;
  private releaseMaildrop: (() => void) | null = null;
  private saslHandler: ((line: string) => Promise<Pop3Step>) | null = null;
  private badCommands = 0;

  constructor(readonly environment: Pop3SessionEnvironment) {
    this.tlsActive = environment.implicitTls;
    this.logger = environment.logger.child({ protocol: 'pop3', clientIp: environment.clientIp });
  }

  get state(): Pop3State {
    return this.currentState;
  }

  get secure(): boolean {
    return this.tlsActive;
  }

  get maildrop(): Maildrop | null {
    return this.openMaildrop;
  }

  /** RFC 1939 §4: the greeting opens the AUTHORIZATION state. */
  greeting(): string {
    return formatOk(`${this.environment.hostname} Yubin POP3 ready`);
  }

  async handleLine(line: string): Promise<Pop3Step> {
    const saslHandler = this.saslHandler;
    if (saslHandler !== null) {
      this.saslHandler = null;
      return saslHandler(line);
    }
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      const reply = parsed.error === 'unknown-command' ? errorReply('unknownCommand') : errorReply('badArguments', `usage: ${parsed.usage}`);
      return this.badCommand(reply);
    }
    const handler = POP3_COMMANDS[parsed.command.verb] as Pop3CommandHandler<Pop3Command['verb']>;
    if (!handler.allowedStates.includes(this.currentState)) return lines(errorReply('wrongState'));
    try {
      return await handler.run(this, parsed.command);
    } catch (error) {
      return lines(failureReply(error, this.logger, parsed.command.verb));
    }
  }

  /** The shell dropped a line longer than the limit. */
  lineTooLong(): Pop3Step {
    this.saslHandler = null;
    return this.badCommand(errorReply('lineTooLong'));
  }

  /** The shell finished the TLS handshake that STLS started. */
  tlsStarted(): void {
    this.tlsActive = true;
    this.pendingUser = null;
  }

  /** The connection is gone (dropped, timed out or after QUIT): nothing marked is deleted (RFC 1939 §6). */
  close(): void {
    this.releaseMaildrop?.();
    this.releaseMaildrop = null;
    this.openMaildrop = null;
    this.saslHandler = null;
  }

  awaitSaslResponse(handler: (line: string) => Promise<Pop3Step>): void {
    this.saslHandler = handler;
  }

  async login(username: string, password: string): Promise<Pop3Step> {
    const { directory, mailIndex } = this.environment.storage;
    const outcome = await authenticate(directory, this.environment.throttle, { clientIp: this.environment.clientIp, username, password });
    if (!outcome.ok) {
      this.logger.info('login failed', { username, reason: outcome.reason });
      if (outcome.reason === 'throttled') return lines(errorReply('authThrottled'));
      return lines(errorReply(outcome.reason === 'account-disabled' ? 'accountDisabled' : 'authFailed'));
    }
    const release = this.environment.maildropSessions.acquire(outcome.user.id);
    if (release === null) return lines(errorReply('maildropInUse'));
    try {
      this.openMaildrop = await Maildrop.open(mailIndex, outcome.user.id);
    } catch (error) {
      release();
      return lines(failureReply(error, this.logger, 'open maildrop'));
    }
    this.releaseMaildrop = release;
    this.userId = outcome.user.id;
    this.currentState = 'transaction';
    const { count, sizeBytes } = this.openMaildrop.stat();
    this.logger.info('login', { user: outcome.user.address, messages: count, sizeBytes });
    return lines(formatOk(`Logged in; maildrop has ${count} messages (${sizeBytes} octets)`));
  }

  async update(): Promise<Pop3Step> {
    const maildrop = this.openMaildrop;
    const userId = this.userId;
    this.currentState = 'update';
    if (maildrop === null || userId === null) return lines(formatOk('Bye'), 'close');
    try {
      const { expungedCount } = await maildrop.commit(this.environment.storage.mailIndex);
      this.logger.info('update', { userId, expunged: expungedCount });
      return lines(formatOk(`Bye; ${expungedCount} messages deleted`), 'close');
    } catch (error) {
      this.logger.error('update failed', { userId, error });
      return lines(errorReply('updateFailed'), 'close');
    } finally {
      this.close();
    }
  }

  private badCommand(reply: string): Pop3Step {
    this.badCommands += 1;
    if (this.badCommands >= MAX_BAD_COMMANDS) return lines(reply + errorReply('tooManyBadCommands'), 'close');
    return lines(reply);
  }
}
