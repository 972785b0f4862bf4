// The SMTP session state machine, sans-IO: bytes in (receive), replies and an action out. It owns
// the input buffer, so mode switches (command → DATA → command, BDAT chunks, AUTH exchanges,
// STARTTLS) never lose or misread a byte. server.ts is the only caller over a socket; tests drive
// it directly in memory.
import type { Logger } from '../../../core/log/logger.js';
import { parseCommandLine } from '../protocol/command-parser.js';
import type { CommandParseResult, SmtpCommand, SmtpVerb } from '../protocol/commands.js';
import { DataDecoder } from '../protocol/data-decoder.js';
import { InputBuffer } from '../protocol/input-buffer.js';
import type { SmtpReply } from '../protocol/reply.js';
import { runChecks } from '../policy/verdict.js';
import { COMMANDS } from './commands/index.js';
import { resetTransaction, type CommandHandler, type CommandOutcome } from './command.js';
import { MessageReception } from './message-reception.js';
import { replies } from './replies.js';
import type { ConnectionFacts, SessionData, SessionState, SmtpSessionDeps } from './types.js';

export type SessionAction = 'none' | 'starttls' | 'close';

export interface SessionOutput {
  readonly replies: readonly SmtpReply[];
  readonly action: SessionAction;
}

type Mode =
  | { readonly kind: 'command' }
  | { readonly kind: 'auth'; readonly continuation: (line: string) => Promise<CommandOutcome> }
  | { readonly kind: 'data'; readonly decoder: DataDecoder }
  | { kind: 'bdat'; readonly chunkBytes: number; remainingBytes: number; readonly last: boolean; readonly rejection: SmtpReply | null }
  | { readonly kind: 'closed' };

function outOfSequence(verb: SmtpVerb, state: SessionState): SmtpReply {
  if (state === 'new') return replies.badSequence('send EHLO first');
  if (state === 'bdat') return replies.badSequence('finish the BDAT transfer or send RSET');
  if (verb === 'MAIL') return replies.badSequence('nested MAIL command; send RSET first');
  if (verb === 'RCPT') return replies.badSequence('send MAIL FROM first');
  if (verb === 'DATA') return replies.badSequence('send MAIL FROM and RCPT TO first');
  return replies.badSequence(`${verb} is not allowed now`);
}

function parseFailureReply(result: Extract<CommandParseResult, { ok: false }>): SmtpReply {
  switch (result.error) {
    case 'unrecognized':
      return replies.unrecognized();
    case 'bad-sender-syntax':
      return replies.badSenderSyntax(result.detail);
    case 'bad-recipient-syntax':
      return replies.badRecipientSyntax(result.detail);
    case 'unknown-parameter':
      return replies.unknownParameter(result.detail);
    case 'syntax':
      return replies.syntax(result.detail);
  }
}

export class SmtpSession {
  private readonly input = new InputBuffer();
  private readonly data: SessionData;
  private mode: Mode = { kind: 'command' };
  private message: MessageReception | null = null;
  private errors = 0;
  /** Set by abort(): a receive() still running must not start anything new. */
  private aborted = false;

  constructor(deps: SmtpSessionDeps, connection: ConnectionFacts, log: Logger = deps.logger) {
    this.data = { deps, connection, log, state: 'new', helo: '', esmtp: false, user: null, transaction: null };
  }

  get state(): SessionState {
    return this.data.state;
  }

  get closed(): boolean {
    return this.mode.kind === 'closed';
  }

  /** Inside DATA or BDAT content: a draining server lets the message finish first. */
  get receivingMessage(): boolean {
    return this.mode.kind === 'data' || this.mode.kind === 'bdat' || this.data.state === 'bdat';
  }

  /** Connect phase: DNSBL and rate checks, then the 220 greeting (RFC 5321 §4.3.1) or a refusal. */
  async greet(): Promise<SessionOutput> {
    const { deps, connection } = this.data;
    const verdict = await runChecks(deps.policy.connect, { clientIp: connection.clientIp, listener: connection.listener }).catch((error: unknown) => {
      this.data.log.error('connect checks failed', { error });
      return { kind: 'tempfail', reply: replies.localError() } as const;
    });
    if (verdict.kind === 'reject' || verdict.kind === 'tempfail') {
      this.data.log.info('connection refused', { code: verdict.reply.code, enhanced: verdict.reply.enhanced });
      this.mode = { kind: 'closed' };
      return { replies: [verdict.reply], action: 'close' };
    }
    return { replies: [replies.greeting(deps.hostname)], action: 'none' };
  }

  /** Processes everything `chunk` completes; replies come back in order (RFC 2920 pipelining). */
  async receive(chunk: Buffer): Promise<SessionOutput> {
    if (this.mode.kind === 'closed') return { replies: [], action: 'close' };
    this.input.append(chunk);
    const out: SmtpReply[] = [];
    for (;;) {
      const mode = this.mode as Mode; // re-read: handlers and push() may close the session
      if (mode.kind === 'closed' || this.aborted) return { replies: out, action: 'close' };
      if (mode.kind === 'data') {
        if (this.input.length === 0) break;
        await this.receiveData(mode.decoder, out);
        continue;
      }
      if (mode.kind === 'bdat') {
        if (mode.remainingBytes > 0 && this.input.length === 0) break;
        await this.receiveChunk(mode, out);
        continue;
      }
      const line = this.input.readLine(this.data.deps.limits.maxCommandLineBytes);
      if (line === null) break;
      if (line.kind === 'too-long') {
        this.push(out, replies.lineTooLong(this.data.deps.limits.maxCommandLineBytes));
        continue;
      }
      if (line.bareLf && this.data.deps.limits.bareLineEndings === 'reject') {
        out.push(replies.bareLineEnding());
        return this.close(out);
      }
      const outcome = mode.kind === 'auth' ? await mode.continuation(line.text) : await this.dispatch(line.text);
      this.mode = { kind: 'command' };
      const action = this.apply(outcome, out);
      if (action !== 'none') return { replies: out, action };
    }
    return { replies: out, action: 'none' };
  }

  /** TLS is up (RFC 3207 §4.2): forget everything learnt in plaintext; the client must EHLO again. */
  tlsEstablished(): void {
    this.data.connection.tls = true;
    this.data.helo = '';
    this.data.esmtp = false;
    this.data.user = null;
    resetTransaction(this.data);
  }

  /** The connection is gone or being shut down: nothing half-received may remain. */
  async abort(): Promise<void> {
    this.aborted = true;
    this.mode = { kind: 'closed' };
    await this.endMessage();
  }

  private close(out: SmtpReply[]): SessionOutput {
    this.mode = { kind: 'closed' };
    return { replies: out, action: 'close' };
  }

  /**
   * Counts protocol errors (500–504: unknown verbs, syntax, sequence); a client that keeps making
   * them is not speaking SMTP. Refused recipients do not count: a list may hold many stale ones.
   */
  private push(out: SmtpReply[], reply: SmtpReply): void {
    out.push(reply);
    if (reply.code >= 500 && reply.code <= 504 && ++this.errors >= this.data.deps.limits.maxErrors) {
      out.push(replies.tooManyErrors());
      this.mode = { kind: 'closed' };
    }
  }

  private async dispatch(line: string): Promise<CommandOutcome> {
    const parsed = parseCommandLine(line);
    if (!parsed.ok) return { reply: parseFailureReply(parsed) };
    const command: SmtpCommand = parsed.command;
    const handler = COMMANDS[command.verb] as CommandHandler<SmtpCommand['verb']>;
    if (!handler.allowedIn.includes(this.data.state)) return { reply: outOfSequence(command.verb, this.data.state) };
    if (command.verb === 'RSET' || command.verb === 'EHLO' || command.verb === 'HELO') await this.endMessage();
    try {
      return await handler.run(command as never, this.data);
    } catch (error) {
      // STYLE.md habit 4: unexpected errors (a directory outage) are temporary, logged, never shown.
      this.data.log.error('command failed', { verb: command.verb, error });
      return { reply: replies.localError() };
    }
  }

  private apply(outcome: CommandOutcome, out: SmtpReply[]): SessionAction {
    if (outcome.reply !== null) this.push(out, outcome.reply);
    if (this.mode.kind === 'closed' || this.aborted) return 'close';
    switch (outcome.next) {
      case 'close':
        this.mode = { kind: 'closed' };
        return 'close';
      case 'starttls':
        this.input.clear(); // RFC 3207 §5: nothing sent before the handshake may be acted on
        return 'starttls';
      case 'data':
        this.message = MessageReception.open(this.data);
        this.mode = { kind: 'data', decoder: new DataDecoder(this.data.deps.limits.bareLineEndings) };
        return 'none';
      case 'bdat':
        if (outcome.rejection === undefined && this.message === null) this.message = MessageReception.open(this.data);
        if (outcome.rejection === undefined) this.data.state = 'bdat';
        this.mode = { kind: 'bdat', chunkBytes: outcome.chunkBytes, remainingBytes: outcome.chunkBytes, last: outcome.last, rejection: outcome.rejection ?? null };
        return 'none';
      case 'auth-continue':
        this.mode = { kind: 'auth', continuation: outcome.continuation };
        return 'none';
      default:
        return 'none';
    }
  }

  private async receiveData(decoder: DataDecoder, out: SmtpReply[]): Promise<void> {
    const input = this.input.take(this.input.length);
    const decoded = decoder.feed(input);
    // One write per network read, not per line: each write is a trip to the blob store.
    if (decoded.chunks.length > 0) await this.message?.write(decoded.chunks.length === 1 ? (decoded.chunks[0] as Buffer) : Buffer.concat(decoded.chunks));
    if (!decoded.ended) return;
    this.input.unshift(input.subarray(decoded.consumed));
    const reject = decoder.bareLineEndings > 0 && this.data.deps.limits.bareLineEndings === 'reject';
    const reply = await this.finishMessage(reject ? replies.bareLineEnding() : null);
    this.mode = { kind: 'command' };
    this.push(out, reply);
    if (reject) this.mode = { kind: 'closed' }; // Postfix answers 521 and hangs up
  }

  private async receiveChunk(mode: Extract<Mode, { kind: 'bdat' }>, out: SmtpReply[]): Promise<void> {
    const part = this.input.take(mode.remainingBytes);
    mode.remainingBytes -= part.length;
    if (mode.rejection === null) await this.message?.write(part);
    if (mode.remainingBytes > 0) return;
    this.mode = { kind: 'command' };
    if (mode.rejection !== null) return this.push(out, mode.rejection);
    if (this.message?.doomed === true || mode.last) {
      // RFC 3030 §2: a failed chunk ends the transaction; later BDATs get 503.
      return this.push(out, await this.finishMessage(null));
    }
    this.push(out, replies.chunkReceived(mode.chunkBytes));
  }

  private async finishMessage(rejection: SmtpReply | null): Promise<SmtpReply> {
    const message = this.message;
    this.message = null;
    const reply = message === null ? replies.temporaryFailure() : await message.finish(rejection);
    resetTransaction(this.data);
    return reply;
  }

  private async endMessage(): Promise<void> {
    const message = this.message;
    this.message = null;
    await message?.abort();
  }
}
