// scripts/build.mjs and the container health probe, exercised for real: bundles are built with
// esbuild into a directory with no node_modules and run with node; the probe talks to a real
// listener on 127.0.0.1 with and without the PROXY v2 header the NLB sends.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// @ts-expect-error scripts/build.mjs is plain JavaScript without type declarations
const { bundle, EXTERNAL_MODULES } = (await import('../../scripts/build.mjs')) as {
  bundle: (entry: string, outdir: string) => Promise<{ inputs: Record<string, unknown>; outputs: Record<string, unknown> }>;
  EXTERNAL_MODULES: string[];
};

const PROXY_V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

let outRoot: string;
before(() => {
  outRoot = mkdtempSync(path.join(tmpdir(), 'yubin-bundles-'));
});
after(() => rmSync(outRoot, { recursive: true, force: true }));

describe('build', () => {
  test('better-sqlite3 stays out of the entry chunk, so the bundle starts without node_modules', async () => {
    const outdir = path.join(outRoot, 'fixture');
    const metafile = await bundle('test/infra/fixtures/local-only-import.ts', outdir);
    assert.deepEqual(EXTERNAL_MODULES, ['better-sqlite3']);
    assert.ok(!Object.keys(metafile.inputs).some((input) => input.includes('better-sqlite3')));
    // The entry itself must not import it; only the chunk the local path loads does.
    assert.doesNotMatch(readFileSync(path.join(outdir, 'main.mjs'), 'utf8'), /better-sqlite3/);
    const chunks = Object.keys(metafile.outputs).filter((output) => /chunk-.*\.mjs$/.test(output));
    assert.ok(chunks.some((chunk) => readFileSync(path.join(PROJECT_ROOT, chunk), 'utf8').includes('better-sqlite3')));
    const { stdout } = await run(process.execPath, [path.join(outdir, 'main.mjs')], { cwd: outRoot });
    assert.equal(stdout, 'bundle ran\n');
  });
});

interface Listener {
  readonly port: number;
  /** Everything the client sent, once it has hung up. */
  readonly received: Promise<Buffer>;
  close(): Promise<void>;
}

/** A one-connection server that answers `greeting` once it has read `expectBytes` bytes. */
async function listen(greeting: string, expectBytes: number): Promise<Listener> {
  let deliver: (bytes: Buffer) => void = () => undefined;
  const received = new Promise<Buffer>((resolve) => (deliver = resolve));
  const server = net.createServer((socket) => {
    let bytes = Buffer.alloc(0);
    const answer = (): void => {
      socket.end(greeting);
    };
    socket.on('close', () => deliver(bytes));
    if (expectBytes === 0) answer();
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (bytes.length >= expectBytes) answer();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('health probe bundle', () => {
  let probe: string;
  before(async () => {
    await bundle('services/health-probe/main.ts', path.join(outRoot, 'health-probe'));
    probe = path.join(outRoot, 'health-probe', 'main.mjs');
  });

  async function exitCode(port: number, env: Record<string, string>): Promise<number> {
    try {
      await run(process.execPath, [probe, String(port)], { cwd: outRoot, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  }

  test('behind the NLB it sends a PROXY v2 LOCAL header and accepts an SMTP greeting', async () => {
    const server = await listen('220 mail.example.com ESMTP\r\n', 16);
    try {
      assert.equal(await exitCode(server.port, { YUBIN_PROXY_PROTOCOL: '1' }), 0);
      const header = await server.received;
      assert.deepEqual(header.subarray(0, 12), PROXY_V2_SIGNATURE);
      assert.deepEqual([...header.subarray(12, 16)], [0x20, 0x00, 0x00, 0x00], 'version 2, LOCAL, UNSPEC, no addresses');
    } finally {
      await server.close();
    }
  });

  test('without PROXY it sends nothing and accepts IMAP and POP3 greetings', async () => {
    for (const greeting of ['* OK [CAPABILITY IMAP4rev1] ready\r\n', '+OK POP3 ready\r\n']) {
      const server = await listen(greeting, 0);
      try {
        assert.equal(await exitCode(server.port, {}), 0);
        assert.equal((await server.received).length, 0);
      } finally {
        await server.close();
      }
    }
  });

  test('a refusal greeting, a closed port or a bad argument is unhealthy', async () => {
    const busy = await listen('421 4.7.0 too many connections\r\n', 0);
    try {
      assert.equal(await exitCode(busy.port, {}), 1);
    } finally {
      await busy.close();
    }
    const closed = await listen('', 0);
    const closedPort = closed.port;
    await closed.close();
    assert.equal(await exitCode(closedPort, {}), 1);
    assert.equal(await exitCode(0, {}), 2);
  });
});
