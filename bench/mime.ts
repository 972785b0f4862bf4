// `npm run bench:mime`: structure-parser throughput (MB/s, messages/s) on 10 KB single-part and
// multipart messages, fed whole and in 1 KB chunks as a socket would deliver them, plus one 20 MB message.
import { createStructureParser } from '../core/mime/index.js';

const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 2);

function textLines(bytes: number, seed: string): string {
  const line = `${seed} the quick brown fox jumps over the lazy dog, again and again and again`.slice(0, 76);
  return Array.from({ length: Math.ceil(bytes / 78) }, () => line).join('\r\n');
}

function singlePart(): Buffer {
  return Buffer.from(
    [
      'From: "Alice Example" <alice@example.com>',
      'To: Bob <bob@example.org>, carol@example.net',
      'Subject: =?UTF-8?Q?Quarterly_r=C3=A9sum=C3=A9?=',
      'Date: Mon, 30 Nov 2026 10:00:00 +0000',
      'Message-ID: <single@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      textLines(9700, 'plain'),
      '',
    ].join('\r\n'),
  );
}

function multipart(): Buffer {
  const attachment = Buffer.alloc(3000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: "Alice Example" <alice@example.com>',
      'To: Bob <bob@example.org>',
      'Subject: report',
      'Message-ID: <multi@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mixed-1"',
      '',
      '--mixed-1',
      'Content-Type: multipart/alternative; boundary="alt-2"',
      '',
      '--alt-2',
      'Content-Type: text/plain; charset=utf-8',
      '',
      textLines(2500, 'text'),
      '--alt-2',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<p>${textLines(2500, 'html')}</p>`,
      '--alt-2--',
      '--mixed-1',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--mixed-1--',
      '',
    ].join('\r\n'),
  );
}

function parse(message: Buffer, chunkBytes: number): void {
  const parser = createStructureParser();
  for (let offset = 0; offset < message.length; offset += chunkBytes) parser.write(message.subarray(offset, offset + chunkBytes));
  parser.end();
}

function measure(name: string, message: Buffer, chunkBytes: number): void {
  for (let warmup = 0; warmup < 200; warmup++) parse(message, chunkBytes);
  let count = 0;
  const clock = startClock();
  const deadline = process.hrtime.bigint() + BigInt(SECONDS_PER_CASE * 1e9);
  while (process.hrtime.bigint() < deadline) {
    for (let batch = 0; batch < 50; batch++) parse(message, chunkBytes);
    count += 50;
  }
  const { wallSeconds, cpuSeconds } = clock();
  const megabytes = (count * message.length) / 1e6;
  console.log(
    `${name.padEnd(44)} ${String(message.length).padStart(6)} B ${rate(megabytes, cpuSeconds)} MB/s ${rate(count, cpuSeconds, 0)} msg/s  (wall: ${rate(megabytes, wallSeconds)} MB/s)`,
  );
}

/** Wall and CPU time: on a shared machine CPU seconds say what the parser costs, wall what it got. */
function startClock(): () => { wallSeconds: number; cpuSeconds: number } {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wallSeconds: Number(process.hrtime.bigint() - wall) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

function rate(amount: number, seconds: number, digits = 1): string {
  return (amount / seconds).toFixed(digits).padStart(8);
}

function measureLarge(): void {
  const head = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n');
  const chunk = Buffer.from(`${'QUJD'.repeat(19)}\r\n`.repeat(840));
  const chunks = 320;
  const clock = startClock();
  const parser = createStructureParser();
  parser.write(head);
  for (let index = 0; index < chunks; index++) parser.write(chunk);
  parser.write(Buffer.from('--b--\r\n'));
  parser.end();
  const { wallSeconds, cpuSeconds } = clock();
  const megabytes = (chunk.length * chunks) / 1e6;
  console.log(
    `${'20 MB attachment, 64 KB chunks'.padEnd(44)} ${megabytes.toFixed(1).padStart(4)} MB ${rate(megabytes, cpuSeconds)} MB/s${' '.repeat(21)}(wall: ${rate(megabytes, wallSeconds)} MB/s)`,
  );
}

console.log(`MIME structure parser, ${SECONDS_PER_CASE} s per case, rates per CPU second (node ${process.version})`);
measure('10 KB single-part, whole', singlePart(), 1 << 20);
measure('10 KB single-part, 1 KB chunks', singlePart(), 1024);
measure('10 KB multipart (nested, attachment), whole', multipart(), 1 << 20);
measure('10 KB multipart, 1 KB chunks', multipart(), 1024);
measureLarge();
