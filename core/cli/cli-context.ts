// What every CLI command gets from the composition root (bin/yubin.ts): the storage of the chosen
// backend, the deployment facts that DNS records and autoconfig documents describe, and the streams.
import type { Readable, Writable } from 'node:stream';
import type { MailEndpoints } from '../autoconfig/mail-endpoints.js';
import type { EgressMode, HousekeepingConfig, MtaStsMode } from '../config/index.js';
import type { Storage } from '../ports/index.js';

export interface Deployment {
  readonly endpoints: MailEndpoints;
  /** Addresses outbound mail leaves from (SPF ip4:/ip6: terms). */
  readonly publicAddresses: readonly string[];
  readonly egress: EgressMode;
  /** The mode of the served MTA-STS policy, hashed into the `_mta-sts` id. */
  readonly mtaStsMode: MtaStsMode;
  /** The platform's message size limit; the importer refuses bigger messages as SMTP would. */
  readonly maxMessageBytes: number;
  /** Grace period and retentions of `yubin storage sweep` (YUBIN_BLOB_GRACE_MINUTES, …). */
  readonly housekeeping: HousekeepingConfig;
}

export interface CliStreams {
  readonly stdin: Readable;
  readonly stdout: Writable;
  /** Progress bars and warnings; a TTY gets a redrawn line, anything else plain lines. */
  readonly stderr: Writable & { readonly isTTY?: boolean };
}

export interface CliContext extends CliStreams {
  /** Opened on first use so that `--help` and argument errors never touch the backend. */
  storage(): Promise<Storage>;
  readonly deployment: Deployment;
  now(): Date;
}

/** An expected failure: printed as one line `yubin: <message>` with a non-zero exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A command group (`user`, `alias`, …): receives the words after its name. */
export interface CommandGroup {
  readonly summary: string;
  /** Lines of `yubin help`, one per subcommand. */
  readonly usage: readonly string[];
  run(args: readonly string[], context: CliContext): Promise<void>;
}

/** One subcommand (`user add`): its usage line and what it does with the words after it. */
export interface Verb {
  readonly usage: string;
  run(args: readonly string[], context: CliContext): Promise<void>;
}

/** A group dispatching on its first word through a typed table; `default` takes unnamed invocations. */
export function commandGroup(summary: string, verbs: Readonly<Record<string, Verb>>, fallback?: Verb): CommandGroup {
  const usage = [...(fallback ? [fallback.usage] : []), ...Object.values(verbs).map((verb) => verb.usage)];
  return {
    summary,
    usage,
    async run(args, context) {
      const [first, ...rest] = args;
      if (first !== undefined && Object.hasOwn(verbs, first)) return verbs[first]!.run(rest, context);
      if (fallback && first !== undefined && !first.startsWith('-')) return fallback.run(args, context);
      throw new CliError(`usage: yubin ${usage.join('\n       yubin ')}`, 2);
    },
  };
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(line + '\n');
}
