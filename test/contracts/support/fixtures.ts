// Sample data for the contract suite: messages with a small but complete cached structure.
import { randomUUID } from 'node:crypto';
import type { MessageStructure } from '../../../core/mail/message-structure.js';
import type { NewMessage } from '../../../core/ports/index.js';

export function sampleStructure(subject: string, sizeBytes: number): MessageStructure {
  const headerBytes = Math.min(100, sizeBytes);
  return {
    envelope: {
      date: 'Mon, 30 Nov 2026 10:00:00 +0000',
      subject,
      from: [{ name: 'Alice', adl: null, mailbox: 'alice', host: 'example.test' }],
      sender: null,
      replyTo: null,
      to: [{ name: null, adl: null, mailbox: 'bob', host: 'example.test' }],
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: `<${randomUUID()}@example.test>`,
    },
    root: {
      headerStart: 0,
      bodyStart: headerBytes,
      bodyEnd: sizeBytes,
      type: 'text',
      subtype: 'plain',
      params: [['charset', 'utf-8']],
      id: null,
      description: null,
      encoding: '7bit',
      sizeBytes: sizeBytes - headerBytes,
      lines: 1,
      md5: null,
      disposition: null,
      language: null,
      location: null,
    },
  };
}

export function sampleMessage(overrides: Partial<NewMessage> = {}): NewMessage {
  const sizeBytes = overrides.sizeBytes ?? 1_000;
  return {
    blobKey: `msg/${randomUUID()}`,
    sizeBytes,
    internalDate: new Date('2026-11-30T10:00:00.000Z'),
    structure: sampleStructure('sample', sizeBytes),
    ...overrides,
  };
}

/** A user id nobody else in the run uses, so tests sharing one backend stay apart. */
export function freshUserId(): string {
  return `user-${randomUUID()}`;
}
