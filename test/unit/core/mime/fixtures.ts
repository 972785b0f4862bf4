// Shared helpers for the MIME tests: tricky messages built in code, slicing by offsets, feeding in chunks.
import type { MessageStructure, MimePart } from '../../../../core/mail/message-structure.js';
import { createStructureParser } from '../../../../core/mime/index.js';

export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

export function toBareLf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** Feeds the message in chunks of `size` bytes (1 = one byte at a time). */
export function parseInChunks(raw: Uint8Array, size: number): MessageStructure {
  const parser = createStructureParser();
  for (let offset = 0; offset < raw.length; offset += size) parser.write(raw.subarray(offset, offset + size));
  return parser.end();
}

export function header(raw: Buffer, part: MimePart): string {
  return raw.toString('utf8', part.headerStart, part.bodyStart);
}

export function body(raw: Buffer, part: MimePart): string {
  return raw.toString('utf8', part.bodyStart, part.bodyEnd);
}

/** The part at an IMAP section path such as `2.1.3` (a message/rfc822 step descends into its message). */
export function partAt(root: MimePart, path: string): MimePart {
  let part = root;
  for (const step of path.split('.').map(Number)) {
    const container = part.message ? part.message.root : part;
    const next = container.children?.[step - 1];
    if (!next) throw new Error(`no part ${path}`);
    part = next;
  }
  return part;
}

/** Every part of the tree, depth first, encapsulated messages included. */
export function allParts(root: MimePart): MimePart[] {
  const nested = root.message ? allParts(root.message.root) : [];
  return [root, ...nested, ...(root.children ?? []).flatMap(allParts)];
}

/** A multipart/mixed message: text, an attached message with a multipart/alternative inside, and a base64 file. */
export const nestedMessage = crlf(
  'From: "Alice A." <alice@example.com>',
  'To: Bob <bob@example.org>',
  'Subject: =?UTF-8?B?5pel5pys6Kqe?= report',
  'Date: Mon, 30 Nov 2026 10:00:00 +0000',
  'Message-ID: <outer@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed;',
  '  boundary="==outer=="',
  '',
  'This is the preamble.',
  '--==outer==',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Grüße,',
  'the report is attached.',
  '',
  '--==outer==',
  'Content-Type: message/rfc822',
  'Content-Description: forwarded',
  '',
  'From: Carol <carol@example.net>',
  'Subject: inner',
  'Content-Type: multipart/alternative; boundary=inner',
  '',
  '--inner',
  '',
  'plain inner',
  '--inner',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>html inner</p>',
  '--inner--',
  '',
  '--==outer==',
  'Content-Type: application/octet-stream; name="data.bin"',
  'Content-Disposition: attachment; filename="data.bin"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('binary \u0000 payload').toString('base64'),
  '--==outer==--',
  'epilogue text',
  '',
);
