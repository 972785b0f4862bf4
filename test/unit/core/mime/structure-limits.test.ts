// Hostile and random input: named limits hold, nothing throws, offsets stay consistent, memory stays bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MimePart } from '../../../../core/mail/message-structure.js';
import { createStructureParser, parseMessageStructure } from '../../../../core/mime/index.js';
import { allParts, parseInChunks } from './fixtures.js';

function nestedMultiparts(levels: number): Buffer {
  const open = Array.from({ length: levels }, (_, level) => `Content-Type: multipart/mixed; boundary=b${level}x\r\n\r\n--b${level}x\r\n`);
  const close = Array.from({ length: levels }, (_, level) => `\r\n--b${levels - 1 - level}x--`);
  return Buffer.from(`${open.join('')}\r\ninnermost${close.join('')}\r\n`);
}

test('nesting deeper than maxDepth is opaque text, and very deep input neither throws nor recurses', () => {
  const { root } = parseInChunks(nestedMultiparts(60), 64);
  let containers = 0;
  let part: MimePart | undefined = root;
  while (part?.children) {
    containers++;
    part = part.children[0];
  }
  // Depths 0–49 are split; the multipart at depth 50 gets one header-less text child covering its body.
  assert.equal(containers, 51);
  assert.equal(part?.headerStart, part?.bodyStart);
  assert.doesNotThrow(() => parseInChunks(nestedMultiparts(20_000), 65_536));
});

test('past maxParts no more parts are split out', () => {
  const parts = Array.from({ length: 3000 }, (_, index) => `--p\r\n\r\npart ${index}\r\n`).join('');
  const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=p\r\n\r\n${parts}--p--\r\n`);
  const parser = createStructureParser({ maxParts: 100 });
  parser.write(raw);
  const { root } = parser.end();
  assert.ok(allParts(root).length <= 100);
  assert.equal(root.bodyEnd, raw.length);
  assert.equal(parseInChunks(raw, 4096).root.children?.length, 3000);
});

test('an oversized header keeps only maxHeaderBytes for parsing but still ends at its blank line', () => {
  const filler = `X-Filler: ${'a'.repeat(990)}\r\n`.repeat(300);
  const raw = Buffer.from(`Subject: early\r\n${filler}Content-Type: text/html\r\n\r\nbody`);
  const parser = createStructureParser({ maxHeaderBytes: 64 * 1024 });
  for (let offset = 0; offset < raw.length; offset += 1000) parser.write(raw.subarray(offset, offset + 1000));
  const { root, envelope } = parser.end();
  assert.equal(envelope.subject, 'early');
  assert.equal(root.subtype, 'plain', 'Content-Type past the cap is not read');
  assert.equal(raw.toString('utf8', root.bodyStart, root.bodyEnd), 'body');
  assert.ok((parser.topHeader?.length ?? 0) <= 64 * 1024);

  const endless = createStructureParser({ maxHeaderBytes: 1024 });
  const line = Buffer.from(`X: ${'b'.repeat(1000)}\r\n`);
  for (let index = 0; index < 1000; index++) endless.write(line);
  assert.equal(endless.end().root.bodyStart, line.length * 1000);
});

test('look-alike delimiters at maximum depth cost linear time, not a stall', () => {
  const prefix = 'x'.repeat(190);
  const open = Array.from({ length: 49 }, (_, level) => {
    const boundary = `${prefix}${String(level).padStart(3, '0')}`;
    return `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\n`;
  }).join('');
  const line = `--${prefix}zzz\r\n`;
  const body = Buffer.from(line.repeat(Math.floor(4e6 / line.length)));
  const started = process.hrtime.bigint();
  const parser = createStructureParser();
  parser.write(Buffer.from(open));
  for (let offset = 0; offset < body.length; offset += 65_536) parser.write(body.subarray(offset, offset + 65_536));
  const { root } = parser.end();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  assert.equal(allParts(root).length, 50, 'no look-alike line is taken for a delimiter');
  // ~0.1 s unloaded; the bound only catches quadratic behaviour on a busy shared machine.
  assert.ok(seconds < 20, `took ${seconds} s`);
});

/** Deterministic PRNG (mulberry32) so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Expected {
  readonly type: string;
  readonly body?: string;
  readonly children?: readonly Expected[];
  readonly message?: Expected;
}

/** A random well-formed message and the tree it must parse into. */
function generate(next: () => number, depth: number, eol: string, counter: { value: number }): { text: string; expected: Expected } {
  const pick = next();
  if (depth < 4 && pick < 0.3) {
    const boundary = `b${counter.value++}_${Math.floor(next() * 1e6)}`;
    const children = Array.from({ length: 1 + Math.floor(next() * 3) }, () => generate(next, depth + 1, eol, counter));
    const preamble = next() < 0.5 ? `preamble${eol}` : '';
    const epilogue = next() < 0.5 ? `${eol}epilogue` : '';
    const inner = children.map((child) => `--${boundary}${eol}${child.text}${eol}`).join('');
    return {
      text: `Content-Type: multipart/mixed; boundary="${boundary}"${eol}${eol}${preamble}${inner}--${boundary}--${epilogue}`,
      expected: { type: 'multipart/mixed', children: children.map((child) => child.expected) },
    };
  }
  if (depth < 4 && pick < 0.45) {
    const child = generate(next, depth + 1, eol, counter);
    return {
      text: `Content-Type: message/rfc822${eol}${eol}Subject: s${eol}${child.text}`,
      expected: { type: 'message/rfc822', message: child.expected },
    };
  }
  const lines = Array.from({ length: Math.floor(next() * 5) }, () => ' -x-'.repeat(Math.floor(next() * 5)).trim());
  const body = lines.join(eol);
  return { text: `Content-Type: text/plain${eol}${eol}${body}`, expected: { type: 'text/plain', body } };
}

function assertMatches(raw: Buffer, part: MimePart, expected: Expected): void {
  assert.equal(`${part.type}/${part.subtype}`, expected.type);
  if (expected.body !== undefined) assert.equal(raw.toString('utf8', part.bodyStart, part.bodyEnd), expected.body);
  if (expected.children) {
    assert.equal(part.children?.length, expected.children.length);
    expected.children.forEach((child, index) => assertMatches(raw, part.children?.[index] as MimePart, child));
  }
  if (expected.message) assertMatches(raw, part.message?.root as MimePart, expected.message);
}

/** Offsets nest and order correctly, and sizes and line counts agree with the bytes themselves. */
function assertConsistent(raw: Buffer, part: MimePart): void {
  assert.ok(part.headerStart >= 0 && part.headerStart <= part.bodyStart && part.bodyStart <= part.bodyEnd && part.bodyEnd <= raw.length);
  assert.equal(part.sizeBytes, part.bodyEnd - part.bodyStart);
  const bodyBytes = raw.subarray(part.bodyStart, part.bodyEnd);
  const breaks = bodyBytes.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 0);
  assert.equal(part.lines, breaks);
  let previousEnd = part.bodyStart;
  for (const child of part.children ?? []) {
    assert.ok(child.headerStart >= previousEnd && child.bodyEnd <= part.bodyEnd);
    previousEnd = child.bodyEnd;
    assertConsistent(raw, child);
  }
  if (part.message) {
    assert.equal(part.message.root.headerStart, part.bodyStart);
    assert.equal(part.message.root.bodyEnd, part.bodyEnd);
    assertConsistent(raw, part.message.root);
  }
}

test('random well-formed trees parse to exactly the generated parts, CRLF and bare LF', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const next = random(seed);
    const eol = seed % 2 === 0 ? '\r\n' : '\n';
    const { text, expected } = generate(next, 0, eol, { value: 0 });
    const raw = Buffer.from(text);
    const parsed = parseInChunks(raw, 1 + Math.floor(next() * 40));
    assertMatches(raw, parsed.root, expected);
    assertConsistent(raw, parsed.root);
  }
});

test('mangled messages (cut, spliced, bytes flipped) never throw and stay consistent at every chunking', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const next = random(seed * 7919);
    const { text } = generate(next, 0, next() < 0.5 ? '\r\n' : '\n', { value: 0 });
    const bytes = [...Buffer.from(text)];
    for (let edit = 0; edit < 1 + Math.floor(next() * 8); edit++) {
      const at = Math.floor(next() * (bytes.length + 1));
      const choice = next();
      if (choice < 0.3) bytes.splice(at, Math.floor(next() * 20));
      else if (choice < 0.6) bytes.splice(at, 0, ...Buffer.from(['\r\n--', '\n\n', '--b0_', ':', '\r'][Math.floor(next() * 5)] ?? ''));
      else bytes[at] = Math.floor(next() * 256);
    }
    const raw = Buffer.from(bytes.slice(0, Math.floor(bytes.length * (0.5 + next() / 2))));
    const whole = parseInChunks(raw, Math.max(1, raw.length));
    assertConsistent(raw, whole.root);
    assert.deepEqual(parseInChunks(raw, 1), whole, `seed ${seed}`);
  }
});

test('a 20 MB message parses in bounded memory with exact offsets', async () => {
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;
  const head = Buffer.from(
    'Subject: big\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\n\r\nsmall text\r\n--big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n',
  );
  const line = `${'QUJD'.repeat(19)}\r\n`; // 78 bytes, like a base64 encoder's output
  const linesPerChunk = 840;
  const chunks = 330; // 330 × 840 × 78 bytes ≈ 21.6 MB
  const tail = Buffer.from('--big\r\nContent-Type: text/plain\r\n\r\nlast part\r\n--big--\r\n');
  let peakGrowth = 0;
  let baseline = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    yield head;
    collectGarbage();
    baseline = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    for (let index = 0; index < chunks; index++) {
      yield Buffer.from(line.repeat(linesPerChunk)); // a fresh buffer each time: retaining one would show
      if (index % 40 === 39) {
        collectGarbage();
        const usage = process.memoryUsage();
        peakGrowth = Math.max(peakGrowth, usage.heapUsed + usage.arrayBuffers - baseline);
      }
    }
    yield tail;
  }
  const { root, envelope } = await parseMessageStructure(source());
  const attachmentBytes = line.length * linesPerChunk * chunks;
  assert.ok(attachmentBytes > 20 * 1024 * 1024);
  assert.ok(peakGrowth < 4 * 1024 * 1024, `memory grew by ${peakGrowth} bytes while parsing`);
  assert.equal(envelope.subject, 'big');
  const attachment = root.children?.[1];
  assert.equal(attachment?.bodyStart, head.length);
  assert.equal(attachment?.sizeBytes, attachmentBytes - 2); // the last CRLF belongs to the delimiter
  assert.equal(attachment?.lines, linesPerChunk * chunks - 1);
  const last = root.children?.[2];
  assert.equal(last?.bodyStart, head.length + attachmentBytes + Buffer.byteLength('--big\r\nContent-Type: text/plain\r\n\r\n'));
  assert.equal(last?.sizeBytes, Buffer.byteLength('last part'));
  assert.equal(root.bodyEnd, head.length + attachmentBytes + tail.length);
});
