// Runs the real `yubin` CLI as a child process. The CLI is bundled once per test process with the
// project's own build (scripts/build.mjs, what `npx yubin` runs when dist/ exists): a bundle starts
// in a fraction of tsx's time on a busy machine. The bundle sits in a temp dir beside a link to the
// shared node_modules, from which the external better-sqlite3 resolves.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AwsConfig } from '../../../core/config/index.js';
import { EMULATOR_CREDENTIALS } from '../../support/aws-emulators.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The environment that points `yubin` at the AWS emulators of `backend` (storage names not included; the DKIM secret is). */
export function emulatorEnv(backend: AwsConfig): Record<string, string> {
  return {
    YUBIN_BACKEND: 'aws',
    AWS_REGION: backend.region,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    YUBIN_DYNAMODB_ENDPOINT: backend.dynamoEndpoint ?? '',
    YUBIN_S3_ENDPOINT: backend.s3Endpoint ?? '',
    YUBIN_SQS_ENDPOINT: backend.sqsEndpoint ?? '',
    YUBIN_SECRETS_MANAGER_ENDPOINT: backend.secretsManagerEndpoint ?? '',
    YUBIN_DKIM_SECRET_ARN: backend.dkimSecretArn ?? '',
  };
}

/** emulatorEnv plus the backend's tables, bucket and queues named in the environment (no stack lookup). */
export function backendEnv(backend: AwsConfig): Record<string, string> {
  return {
    ...emulatorEnv(backend),
    YUBIN_TABLE_PREFIX: backend.tablePrefix,
    YUBIN_BUCKET: backend.bucket,
    YUBIN_INBOUND_QUEUE_URL: backend.inboundQueueUrl,
    YUBIN_OUTBOUND_QUEUE_URL: backend.outboundQueueUrl,
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let bundled: Promise<{ dir: string; main: string }> | null = null;

async function bundleCli(): Promise<{ dir: string; main: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yubin-cli-'));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const build = (await import(path.join(REPO_ROOT, 'scripts/build.mjs'))) as { bundle(entry: string, outdir: string): Promise<unknown> };
  await build.bundle(path.join(REPO_ROOT, 'bin/yubin.ts'), path.join(dir, 'yubin'));
  return { dir, main: path.join(dir, 'yubin', 'main.mjs') };
}

/** Bounded: a CLI command that hangs fails the test instead of stalling the suite. */
const CLI_TIMEOUT_MS = 90_000;

export async function runYubin(
  args: readonly string[],
  options: { env: Readonly<Record<string, string>>; stdin?: string },
): Promise<CliResult> {
  bundled ??= bundleCli();
  const { main } = await bundled;
  // Only what the test sets: no YUBIN_* from the developer's shell leaks in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('YUBIN_')));
  const child = spawn(process.execPath, [main, ...args], { env: { ...env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? -1)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export async function removeCliBundle(): Promise<void> {
  if (bundled) await rm((await bundled).dir, { recursive: true, force: true });
  bundled = null;
}
