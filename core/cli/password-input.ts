// Where a new password comes from: the first line of stdin (`--password-stdin`, so it never shows in
// `ps` or shell history), or a generated one printed once. Weak passwords are refused here.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { passwordWeakness } from '../auth/password.js';
import { CliError } from './cli-context.js';

/** Longest line accepted on stdin: a password, not a file. */
const MAX_PASSWORD_INPUT_BYTES = 4096;

export async function readFirstLine(stdin: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    const newline = text.search(/\r?\n/u);
    if (newline >= 0) return text.slice(0, newline);
    if (text.length > MAX_PASSWORD_INPUT_BYTES) break;
  }
  if (text.length > MAX_PASSWORD_INPUT_BYTES) throw new CliError('password on stdin is too long');
  return text;
}

/** 18 random bytes as base64url: 24 characters, 144 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export async function newPassword(fromStdin: boolean, stdin: Readable): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = await readFirstLine(stdin);
  const weakness = passwordWeakness(password);
  if (weakness !== null) throw new CliError(`weak password: it ${weakness}`);
  return { password, generated: false };
}
