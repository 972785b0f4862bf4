// mbox files (RFC 4155; mboxo/mboxrd as written by Thunderbird, mutt, Google Takeout, Dovecot):
// messages start at lines `From sender date`; mboxrd quotes body lines `>From ` with one more `>`,
// which we remove. Flags come from the Status/X-Status headers (mutt, Dovecot, UW-IMAP); the internal
// date from the From line. The file is streamed; only the current message is in memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CliError } from '../cli-context.js';
import { toCrlf, type ImportEstimate, type ImportMessage, type ImportSource } from './import-source.js';

const FROM_LINE = /^From \S*\s+(.*)$/u;
const QUOTED_FROM = /^>+From /u;

/** `Mon Nov 30 10:00:00 2026` (asctime, UTC by convention), optionally with a zone. */
function fromLineDate(text: string): Date | null {
  const date = new Date(/[+-]\d{4}|GMT|UTC/u.test(text) ? text : `${text.trim()} UTC`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Status: R = read (\Seen), O = old; X-Status: A answered, F flagged, T draft, D deleted. */
function flagsFromHeaders(header: string): string[] {
  const flags = new Set<string>();
  const field = (name: string): string => new RegExp(`^${name}:[ \\t]*([A-Za-z]*)`, 'imu').exec(header)?.[1] ?? '';
  if (field('Status').includes('R')) flags.add('\\Seen');
  const x = field('X-Status');
  if (x.includes('A')) flags.add('\\Answered');
  if (x.includes('F')) flags.add('\\Flagged');
  if (x.includes('T')) flags.add('\\Draft');
  if (x.includes('D')) flags.add('\\Deleted');
  return [...flags];
}

/** The Date: header, for messages whose From line carries no usable date. */
function headerDate(header: string): Date | null {
  const value = /^Date:[ \t]*(.+)$/imu.exec(header)?.[1];
  const date = value ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

async function* lines(file: string): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let newline: number;
    while ((newline = data.indexOf(0x0a)) >= 0) {
      yield data.subarray(0, newline + 1);
      data = data.subarray(newline + 1);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) yield rest;
}

function finish(folder: string, parts: Buffer[], fromDate: Date | null, fallbackDate: Date): ImportMessage {
  // RFC 4155 §2: the blank line before the next From line belongs to the mbox, not the message.
  const last = parts.at(-1);
  if (last && (last.toString('latin1') === '\n' || last.toString('latin1') === '\r\n')) parts.pop();
  const bytes = toCrlf(Buffer.concat(parts));
  const headerEnd = bytes.indexOf('\r\n\r\n');
  const header = bytes.subarray(0, headerEnd < 0 ? bytes.length : headerEnd).toString('latin1');
  return { folder, specialUse: null, flags: flagsFromHeaders(header), internalDate: fromDate ?? headerDate(header) ?? fallbackDate, bytes };
}

export class MboxSource implements ImportSource {
  readonly description: string;
  constructor(
    private readonly file: string,
    private readonly folder: string,
    private readonly maxMessageBytes: number,
    private readonly now: () => Date,
  ) {
    this.description = `mbox ${file}`;
  }

  async estimate(): Promise<ImportEstimate> {
    let messages = 0;
    for await (const line of lines(this.file)) if (line[0] === 0x46 && FROM_LINE.test(line.toString('latin1'))) messages++;
    return { messages, bytes: (await stat(this.file)).size };
  }

  async *messages(): AsyncGenerator<ImportMessage> {
    let parts: Buffer[] | null = null;
    let size = 0;
    let fromDate: Date | null = null;
    for await (const line of lines(this.file)) {
      const text = line[0] === 0x46 || line[0] === 0x3e ? line.toString('latin1') : '';
      const from = line[0] === 0x46 ? FROM_LINE.exec(text.trimEnd()) : null;
      if (from) {
        if (parts) yield finish(this.folder, parts, fromDate, this.now());
        parts = [];
        size = 0;
        fromDate = fromLineDate(from[1] ?? '');
        continue;
      }
      if (parts === null) throw new CliError(`${this.file} is not an mbox file: it does not start with a "From " line`);
      const unquoted = QUOTED_FROM.test(text) ? line.subarray(1) : line;
      size += unquoted.length;
      if (size > this.maxMessageBytes) throw new CliError(`${this.file}: a message is larger than ${this.maxMessageBytes} bytes`);
      parts.push(unquoted);
    }
    if (parts) yield finish(this.folder, parts, fromDate, this.now());
  }

  async close(): Promise<void> {}
}
