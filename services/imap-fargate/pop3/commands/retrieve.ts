// Opens a message's blob and wraps it in the POP3 encoder, for RETR and TOP. The blob is opened
// before the +OK is sent, so a message removed meanwhile gets a clean -ERR, not a broken body.
import type { Readable } from 'node:stream';
import { MessageEncoder, encodeMessage } from '../protocol/message-encoder.js';
import { formatOk } from '../protocol/responses.js';
import { failureReply } from '../replies.js';
import { isStep, lookupMessage } from './message-lookup.js';
import { lines, type Pop3Context, type Pop3Step } from './types.js';

export async function streamMessage(context: Pop3Context, messageNumber: number, bodyLineLimit: number | null): Promise<Pop3Step> {
  const found = lookupMessage(context, messageNumber);
  if (isStep(found)) return found;
  const { maildrop, message } = found;
  let source: Readable;
  try {
    // Bounded by the indexed size: no trailing read to find the end of the blob.
    source = await context.environment.storage.blobs.get(message.blobKey, { start: 0, end: message.sizeBytes });
  } catch (error) {
    return lines(failureReply(error, context.logger, 'open message blob'));
  }
  if (bodyLineLimit === null) maildrop.markRetrieved(message);
  const head = formatOk(bodyLineLimit === null ? `${message.sizeBytes} octets` : 'Top of message follows');
  const body = encodeMessage(source, new MessageEncoder({ bodyLineLimit }));
  return { reply: { kind: 'message', head, body, abort: () => source.destroy() }, then: 'continue' };
}
